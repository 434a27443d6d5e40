import { address, apiRoot, arr, cheapest, decimalToMinor, type J, labelFetch, obj, str } from '../http.ts';
import {
  DEFAULT_PARCEL,
  type LabelAccount,
  LabelError,
  type LabelProvider,
  type ReturnLabelRequest,
} from '../label-provider.ts';

const API = 'https://api.goshippo.com';

/** Shippo reports problems as `detail`, field errors, or `messages` on a transaction that is not SUCCESS. */
function messagesOf(body: J, text: string): string {
  const msgs = arr(body.messages)
    .map((m) => str(m.text) ?? '')
    .filter(Boolean);
  if (msgs.length) return msgs.join('; ');
  if (str(body.detail)) return String(body.detail);
  const fields = Object.entries(body)
    .filter(([, v]) => Array.isArray(v))
    .map(([k, v]) => `${k}: ${(v as unknown[]).join(', ')}`);
  return fields.join('; ') || text.slice(0, 200);
}

/**
 * Shippo return labels: `POST /shipments/` with `extra.is_return` (addresses as on the outbound parcel:
 * from the shop, to the shopper; Shippo swaps them on the label) and `async: false` so the rates come
 * back at once, then `POST /transactions/` buys the cheapest rate as a PDF. `Authorization: ShippoToken`.
 */
export const shippoProvider: LabelProvider = {
  name: 'shippo',
  needsCredentials: true,
  async createReturnLabel(account: LabelAccount, req: ReturnLabelRequest) {
    const token = account.credentials.apiKey;
    if (!token) throw new LabelError('The Shippo account has no API token');
    const root = apiRoot(account, API);
    const auth = { authorization: `ShippoToken ${token}` };
    const p = req.parcel ?? DEFAULT_PARCEL;
    const created = await labelFetch(account, `${root}/shipments/`, {
      method: 'POST',
      headers: auth,
      body: {
        address_from: address(req.shop, req.shopName),
        address_to: address(req.shopper, 'Customer'),
        parcels: [
          {
            length: String(p.lengthCm),
            width: String(p.widthCm),
            height: String(p.heightCm),
            distance_unit: 'cm',
            weight: String(p.weightGrams),
            mass_unit: 'g',
          },
        ],
        extra: { is_return: true, reference_1: req.rma },
        metadata: `Return ${req.rma} for order ${req.orderNumber}`,
        async: false,
      },
    });
    if (created.status >= 400)
      throw new LabelError(
        `Shippo answered ${created.status}: ${messagesOf(created.json, created.text)}`,
        created.status,
      );
    const rates = arr(created.json.rates).map((r) => ({
      id: str(r.object_id),
      carrier: str(r.provider),
      service: str(obj(r.servicelevel).name),
      currency: str(r.currency),
      amount: decimalToMinor(r.amount, str(r.currency)),
    }));
    const rate = cheapest(rates, account.settings.carrier);
    if (!rate?.id)
      throw new LabelError(
        `Shippo offered no rate${account.settings.carrier ? ` for ${account.settings.carrier}` : ''} for this return${
          arr(created.json.messages).length ? `: ${messagesOf(created.json, '')}` : ''
        }`,
        422,
      );
    const tx = await labelFetch(account, `${root}/transactions/`, {
      method: 'POST',
      headers: auth,
      body: { rate: rate.id, label_file_type: 'PDF', async: false, metadata: req.rma },
      purchase: true,
    });
    if (tx.status >= 400 || str(tx.json.status) !== 'SUCCESS')
      throw new LabelError(
        `Shippo could not buy the label: ${messagesOf(tx.json, tx.text) || String(tx.json.status)}`,
        tx.status >= 400 ? tx.status : 422,
      );
    return {
      pdf: null,
      labelUrl: str(tx.json.label_url),
      trackingNumber: str(tx.json.tracking_number),
      carrier: rate.carrier,
      service: rate.service,
      cost: rate.amount,
      currency: rate.currency,
      externalId: str(tx.json.object_id),
    };
  },
};
