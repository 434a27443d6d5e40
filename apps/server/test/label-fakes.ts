import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local servers speaking EasyPost's and Shippo's documented label APIs (the parts Shopdesk uses):
 * EasyPost `POST /v2/shipments` + `POST /v2/shipments/:id/buy` with HTTP Basic auth (API key as
 * user name), Shippo `POST /shipments/` + `POST /transactions/` with `Authorization: ShippoToken`.
 * Each keeps the requests it saw so tests can check what was sent.
 */
export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

async function listen(handler: (req: Seen) => { status: number; body: unknown }) {
  const seen: Seen[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const s: Seen = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: text ? JSON.parse(text) : {},
    };
    seen.push(s);
    const out = handler(s);
    res.writeHead(out.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function fakeEasypost(apiKey: string, opts: { rates?: unknown[]; refuseBuy?: boolean } = {}) {
  let n = 0;
  const rates = opts.rates ?? [
    { id: 'rate_ups', carrier: 'UPS', service: 'Ground', rate: '11.20', currency: 'USD' },
    { id: 'rate_usps', carrier: 'USPS', service: 'GroundAdvantage', rate: '7.58', currency: 'USD' },
  ];
  const srv = await listen((req) => {
    const want = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
    if (req.headers.authorization !== want)
      return {
        status: 401,
        body: { error: { code: 'APIKEY.INVALID', message: 'The API key provided is invalid.' } },
      };
    if (req.method === 'POST' && req.path === '/v2/shipments') {
      const sh = req.body.shipment as Record<string, unknown> | undefined;
      const to = (sh?.to_address ?? {}) as Record<string, unknown>;
      if (!to.street1 || !to.zip)
        return {
          status: 422,
          body: {
            error: {
              code: 'ADDRESS.VERIFY.FAILURE',
              message: 'Unable to verify address.',
              errors: [{ field: 'street1', message: 'street1 is required' }],
            },
          },
        };
      n++;
      const id = `shp_${n}`;
      return {
        status: 201,
        body: {
          object: 'Shipment',
          id,
          is_return: sh?.is_return ?? false,
          rates: rates.map((r) => ({ ...(r as object), shipment_id: id })),
          messages: [],
        },
      };
    }
    const buy = /^\/v2\/shipments\/(shp_\d+)\/buy$/.exec(req.path);
    if (req.method === 'POST' && buy) {
      if (opts.refuseBuy)
        return {
          status: 422,
          body: { error: { code: 'SHIPMENT.POSTAGE.FAILURE', message: 'Insufficient funds.' } },
        };
      const rate = (rates as Record<string, unknown>[]).find(
        (r) => r.id === (req.body.rate as Record<string, unknown>)?.id,
      );
      if (!rate) return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Rate not found' } } };
      return {
        status: 200,
        body: {
          object: 'Shipment',
          id: buy[1],
          tracking_code: `9400100000000000${buy[1]!.slice(4).padStart(6, '0')}`,
          selected_rate: rate,
          postage_label: {
            label_url: `https://easypost-files.example/files/postage_label/${buy[1]}.png`,
            label_pdf_url: `https://easypost-files.example/files/postage_label/${buy[1]}.pdf`,
          },
        },
      };
    }
    return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'Not found' } } };
  });
  return srv;
}

export async function fakeShippo(token: string, opts: { transactionError?: boolean } = {}) {
  let n = 0;
  const srv = await listen((req) => {
    if (req.headers.authorization !== `ShippoToken ${token}`)
      return { status: 401, body: { detail: 'Invalid token.' } };
    if (req.method === 'POST' && req.path === '/shipments/') {
      const to = (req.body.address_to ?? {}) as Record<string, unknown>;
      if (!to.street1) return { status: 400, body: { address_to: ['street1 is required'] } };
      n++;
      return {
        status: 201,
        body: {
          object_id: `shipment_${n}`,
          status: 'SUCCESS',
          extra: req.body.extra,
          rates: [
            {
              object_id: `rate_dhl_${n}`,
              amount: '9.90',
              currency: 'EUR',
              provider: 'DHL Express',
              servicelevel: { name: 'Express Worldwide', token: 'dhl_express_worldwide' },
            },
            {
              object_id: `rate_dpd_${n}`,
              amount: '5.40',
              currency: 'EUR',
              provider: 'DPD DE',
              servicelevel: { name: 'Classic', token: 'dpd_de_classic' },
            },
          ],
          messages: [],
        },
      };
    }
    if (req.method === 'POST' && req.path === '/transactions/') {
      if (opts.transactionError)
        return {
          status: 201,
          body: {
            object_id: 'tx_err',
            status: 'ERROR',
            messages: [{ source: 'DPD', code: '', text: 'The carrier account is not active.' }],
          },
        };
      return {
        status: 201,
        body: {
          object_id: `tx_${String(req.body.rate)}`,
          status: 'SUCCESS',
          rate: req.body.rate,
          tracking_number: `0934${String(req.body.rate).length}${n}7700112`,
          label_url: `https://shippo-delivery.example/${String(req.body.rate)}.pdf`,
          messages: [],
        },
      };
    }
    return { status: 404, body: { detail: 'Not found.' } };
  });
  return srv;
}
