import { address, apiRoot, arr, cheapest, decimalToMinor, type J, labelFetch, obj, str } from '../http.ts';
import {
  DEFAULT_PARCEL,
  type LabelAccount,
  LabelError,
  type LabelProvider,
  type ReturnLabelRequest,
} from '../label-provider.ts';

const API = 'https://api.easypost.com';

function errorOf(status: number, body: J, text: string) {
  const e = obj(body.error);
  const detail = arr(e.errors)
    .map((x) => str(x.message) ?? '')
    .filter(Boolean)
    .join('; ');
  const msg = str(e.message) ?? text.slice(0, 200);
  return new LabelError(`EasyPost answered ${status}: ${msg}${detail ? ` (${detail})` : ''}`, status);
}

/**
 * EasyPost return labels: `POST /v2/shipments` with `is_return: true` (EasyPost swaps the addresses
 * on the label, so to/from stay as on the outbound parcel: to the shopper, from the shop), then
 * `POST /v2/shipments/:id/buy` with the cheapest rate. HTTP Basic auth with the API key as user name.
 */
export const easypostProvider: LabelProvider = {
  name: 'easypost',
  needsCredentials: true,
  async createReturnLabel(account: LabelAccount, req: ReturnLabelRequest) {
    const key = account.credentials.apiKey;
    if (!key) throw new LabelError('The EasyPost account has no API key');
    const root = apiRoot(account, API);
    const auth = { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` };
    const p = req.parcel ?? DEFAULT_PARCEL;
    const created = await labelFetch(account, `${root}/v2/shipments`, {
      method: 'POST',
      headers: auth,
      body: {
        shipment: {
          is_return: true,
          reference: req.rma,
          to_address: address(req.shopper, 'Customer'),
          from_address: address(req.shop, req.shopName),
          parcel: {
            length: +(p.lengthCm / 2.54).toFixed(1),
            width: +(p.widthCm / 2.54).toFixed(1),
            height: +(p.heightCm / 2.54).toFixed(1),
            weight: +(p.weightGrams / 28.3495).toFixed(1),
          },
          options: { label_format: 'PDF', print_custom_1: req.rma },
        },
      },
    });
    if (created.status >= 400) throw errorOf(created.status, created.json, created.text);
    const shipmentId = str(created.json.id);
    const rates = arr(created.json.rates).map((r) => ({
      id: str(r.id),
      carrier: str(r.carrier),
      service: str(r.service),
      currency: str(r.currency),
      amount: decimalToMinor(r.rate, str(r.currency)),
    }));
    const rate = cheapest(rates, account.settings.carrier);
    if (!shipmentId || !rate?.id)
      throw new LabelError(
        `EasyPost offered no rate${account.settings.carrier ? ` for ${account.settings.carrier}` : ''} for this return`,
        422,
      );
    const bought = await labelFetch(account, `${root}/v2/shipments/${encodeURIComponent(shipmentId)}/buy`, {
      method: 'POST',
      headers: auth,
      body: { rate: { id: rate.id } },
      purchase: true,
    });
    if (bought.status >= 400) throw errorOf(bought.status, bought.json, bought.text);
    const label = obj(bought.json.postage_label);
    const selected = obj(bought.json.selected_rate);
    const currency = str(selected.currency) ?? rate.currency;
    return {
      pdf: null,
      labelUrl: str(label.label_pdf_url) ?? str(label.label_url),
      trackingNumber: str(bought.json.tracking_code),
      carrier: str(selected.carrier) ?? rate.carrier,
      service: str(selected.service) ?? rate.service,
      cost: selected.rate !== undefined ? decimalToMinor(selected.rate, currency) : rate.amount,
      currency,
      externalId: shipmentId,
    };
  },
};
