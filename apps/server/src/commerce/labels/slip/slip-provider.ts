import type { Address } from '@shopdesk/contracts';
import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';
import type { LabelProvider, ReturnLabelRequest } from '../label-provider.ts';

/**
 * The built-in printable return slip (the default provider, no outside call): an A4 PDF with the RMA
 * number as text and as a Code 128 barcode a warehouse scanner reads, the order, both addresses and
 * the items. The shopper pays postage at the counter or the shop's prepaid account covers it — the
 * slip only tells the warehouse which return the parcel is.
 */
export const slipProvider: LabelProvider = {
  name: 'slip',
  needsCredentials: false,
  async createReturnLabel(_account, req) {
    return {
      pdf: await renderReturnSlip(req),
      labelUrl: null,
      trackingNumber: null,
      carrier: null,
      service: null,
      cost: 0,
      currency: null,
      externalId: null,
    };
  },
};

/**
 * The standard PDF fonts (no font files to ship) encode Latin-1 only: anything else would print as
 * garbage, so it is shown as "?" (an address in another script still has its postcode and RMA).
 */
const latin1 = (s: string | null | undefined) =>
  [...(s ?? '')].map((c) => (c.charCodeAt(0) <= 0xff && c >= ' ' ? c : '?')).join('');

const addressLines = (a: Address) =>
  [
    a.name,
    a.company,
    a.address1,
    a.address2,
    [a.zip, a.city].filter(Boolean).join(' '),
    a.province,
    a.country ?? a.countryCode,
  ]
    .filter((x): x is string => !!x?.trim())
    .map(latin1);

export async function renderReturnSlip(req: ReturnLabelRequest): Promise<Buffer> {
  const barcode = await bwipjs.toBuffer({
    bcid: 'code128',
    text: req.rma,
    scale: 3,
    height: 14,
    includetext: false,
  });
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Return ${latin1(req.rma)}`, Author: latin1(req.shopName), Creator: 'Shopdesk' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc
    .font('Helvetica-Bold')
    .fontSize(20)
    .text(`${latin1(req.shopName)} - Return slip`);
  doc.moveDown(0.5);
  doc
    .font('Helvetica')
    .fontSize(11)
    .text(`Order ${latin1(req.orderNumber)}`);
  doc.moveDown(0.8);
  doc.font('Helvetica-Bold').fontSize(28).text(latin1(req.rma));
  doc.image(barcode, { width: 300 });
  doc.moveDown(1);

  const top = doc.y;
  doc.font('Helvetica-Bold').fontSize(12).text('Send to', 50, top);
  doc
    .font('Helvetica')
    .fontSize(11)
    .text(addressLines(req.shop).join('\n'), 50, top + 18, { width: 230 });
  doc.font('Helvetica-Bold').fontSize(12).text('From', 310, top);
  doc
    .font('Helvetica')
    .fontSize(11)
    .text(addressLines(req.shopper).join('\n'), 310, top + 18, { width: 230 });
  doc.x = 50;
  doc.y = Math.max(doc.y, top + 110);
  doc.moveDown(1);

  doc.font('Helvetica-Bold').fontSize(12).text('Items in this parcel', 50);
  doc.font('Helvetica').fontSize(11);
  for (const i of req.items)
    doc.text(`${i.quantity} x ${latin1(i.title)}${i.sku ? `  (SKU ${latin1(i.sku)})` : ''}`);
  doc.moveDown(1.5);
  doc
    .fontSize(10)
    .text(
      `Put this slip inside the parcel, write ${latin1(req.rma)} on the outside and send it to the address above. ` +
        'Keep the receipt from the post office until your return is confirmed.',
      { width: 495 },
    );
  doc.end();
  return done;
}
