import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEasypost, fakeShippo } from '../../../test/label-fakes.ts';
import { allowList } from '../../platform/net/outbound-guard.ts';
import { easypostProvider } from './easypost/easypost-provider.ts';
import { type LabelAccount, LabelError, LabelRegistry, type ReturnLabelRequest } from './label-provider.ts';
import { shippoProvider } from './shippo/shippo-provider.ts';
import { slipProvider } from './slip/slip-provider.ts';

/** The label providers against local servers speaking EasyPost's and Shippo's documented APIs. */
const req: ReturnLabelRequest = {
  rma: 'RMA-TEST2345',
  orderNumber: '#1042',
  shopName: 'Demo Outdoor Co.',
  shopper: {
    name: 'Jana Nováková',
    address1: 'Hauptstraße 5',
    city: 'Berlin',
    zip: '10115',
    countryCode: 'DE',
    email: 'jana@example.com',
  },
  shop: {
    name: 'Returns dept',
    company: 'Demo Outdoor Co.',
    address1: 'Lager 1',
    city: 'Hamburg',
    zip: '20095',
    countryCode: 'DE',
  },
  items: [
    { title: 'Trail Runner 2', sku: 'TR2-42', quantity: 1 },
    { title: 'Merino Socks 東京', sku: null, quantity: 2 },
  ],
};
const account = (url: string, apiKey: string, carrier?: string): LabelAccount => ({
  workspaceId: 1,
  credentials: { apiKey },
  settings: { baseUrl: url, carrier: carrier ?? null },
  outbound: async () => ({ allow: allowList(['127.0.0.1/32']) }),
});

let ep: Awaited<ReturnType<typeof fakeEasypost>>;
let sh: Awaited<ReturnType<typeof fakeShippo>>;
beforeAll(async () => {
  ep = await fakeEasypost('EZTK_test_key');
  sh = await fakeShippo('shippo_test_token');
});
afterAll(async () => {
  await ep?.close();
  await sh?.close();
});

/** The text a PDF shows, from its (Flate-compressed) content streams: enough to find the RMA and items. */
function pdfText(pdf: Buffer): string {
  const s = pdf.toString('latin1');
  let out = '';
  let at = 0;
  for (;;) {
    const start = s.indexOf('stream\n', at);
    if (start < 0) break;
    const end = s.indexOf('\nendstream', start);
    const raw = pdf.subarray(start + 7, end);
    try {
      out += inflateSync(raw).toString('latin1');
    } catch {
      // an image stream or uncompressed: skipped
    }
    at = end + 10;
  }
  // pdfkit writes text as hex strings <...> in TJ arrays
  return [...out.matchAll(/<([0-9a-f]+)>/g)]
    .map((m) => Buffer.from(m[1]!, 'hex').toString('latin1'))
    .join('');
}

describe('label providers', () => {
  it('registry: one line per provider', () => {
    const r = new LabelRegistry().register(slipProvider).register(easypostProvider).register(shippoProvider);
    expect(r.names()).toEqual(['slip', 'easypost', 'shippo']);
    expect(r.get('slip')?.needsCredentials).toBe(false);
    expect(r.get('nope')).toBeUndefined();
  });

  it('slip: a real PDF with the RMA, the order, both addresses, the items and a Code 128 image', async () => {
    const out = await slipProvider.createReturnLabel(account('', ''), req);
    expect(out.cost).toBe(0);
    expect(out.trackingNumber).toBeNull();
    const pdf = out.pdf!;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toContain('%%EOF');
    expect(pdf.toString('latin1')).toContain('/Subtype /Image');
    const text = pdfText(pdf);
    for (const want of [
      'RMA-TEST2345',
      '#1042',
      'Hauptstra',
      'Berlin',
      'Lager 1',
      'Trail Runner 2',
      'TR2-42',
      'Merino Socks',
    ])
      expect(text).toContain(want);
    // Characters the standard fonts cannot encode are not printed as garbage.
    expect(text).toContain('Merino Socks ??');
  });

  it('EasyPost: shipment with is_return and basic auth, buys the cheapest rate, returns label and tracking', async () => {
    const out = await easypostProvider.createReturnLabel(account(ep.url, 'EZTK_test_key'), req);
    expect(out).toMatchObject({
      carrier: 'USPS',
      service: 'GroundAdvantage',
      cost: 758,
      currency: 'USD',
      externalId: 'shp_1',
      labelUrl: 'https://easypost-files.example/files/postage_label/shp_1.pdf',
    });
    expect(out.trackingNumber).toMatch(/^9400/);
    const [create, buy] = ep.seen;
    const shipment = create!.body.shipment as Record<string, Record<string, unknown>>;
    expect(shipment.is_return).toBe(true);
    expect(shipment.to_address).toMatchObject({ street1: 'Hauptstraße 5', zip: '10115', country: 'DE' });
    expect(shipment.from_address).toMatchObject({ street1: 'Lager 1', company: 'Demo Outdoor Co.' });
    expect(shipment.parcel!.weight).toBeGreaterThan(0);
    expect(buy!.path).toBe('/v2/shipments/shp_1/buy');
    expect(buy!.body).toEqual({ rate: { id: 'rate_usps' } });
  });

  it('EasyPost: the account carrier picks among rates; wrong key and bad address are the provider’s words', async () => {
    const ups = await easypostProvider.createReturnLabel(account(ep.url, 'EZTK_test_key', 'ups'), req);
    expect(ups).toMatchObject({ carrier: 'UPS', cost: 1120 });
    await expect(easypostProvider.createReturnLabel(account(ep.url, 'wrong'), req)).rejects.toThrow(
      /401.*API key provided is invalid/,
    );
    const bad = { ...req, shopper: { ...req.shopper, address1: null } };
    const err = await easypostProvider
      .createReturnLabel(account(ep.url, 'EZTK_test_key'), bad)
      .catch((e) => e);
    expect(err).toBeInstanceOf(LabelError);
    expect(err.message).toMatch(/Unable to verify address.*street1 is required/);
    await expect(
      easypostProvider.createReturnLabel(account(ep.url, 'EZTK_test_key', 'FedEx'), req),
    ).rejects.toThrow(/no rate for FedEx/);
  });

  it('Shippo: shipment with extra.is_return and ShippoToken, transaction buys the cheapest rate as PDF', async () => {
    const out = await shippoProvider.createReturnLabel(account(sh.url, 'shippo_test_token'), req);
    expect(out).toMatchObject({ carrier: 'DPD DE', service: 'Classic', cost: 540, currency: 'EUR' });
    expect(out.labelUrl).toMatch(/^https:\/\/shippo-delivery\.example\/rate_dpd_1\.pdf$/);
    expect(out.trackingNumber).toBeTruthy();
    const [create, buy] = sh.seen;
    expect(create!.path).toBe('/shipments/');
    expect(create!.body.extra).toMatchObject({ is_return: true, reference_1: 'RMA-TEST2345' });
    expect(create!.body.async).toBe(false);
    expect(buy!.path).toBe('/transactions/');
    expect(buy!.body).toMatchObject({ rate: 'rate_dpd_1', label_file_type: 'PDF', async: false });
  });

  it('Shippo: a failed transaction and a wrong token are errors with the provider’s words', async () => {
    const failing = await fakeShippo('t2', { transactionError: true });
    try {
      await expect(shippoProvider.createReturnLabel(account(failing.url, 't2'), req)).rejects.toThrow(
        /carrier account is not active/,
      );
    } finally {
      await failing.close();
    }
    await expect(shippoProvider.createReturnLabel(account(sh.url, 'nope'), req)).rejects.toThrow(
      /401: Invalid token/,
    );
  });

  it('a provider address outside the allow-list is refused before any call', async () => {
    const closed = { ...account(ep.url, 'EZTK_test_key'), outbound: async () => ({ allow: allowList([]) }) };
    const before = ep.seen.length;
    await expect(easypostProvider.createReturnLabel(closed, req)).rejects.toThrow(/refused/);
    expect(ep.seen.length).toBe(before);
  });
});
