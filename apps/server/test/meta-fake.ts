import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Meta's Graph API as documented: WhatsApp Cloud API sends (POST /{version}/{phone
 * number id}/messages), media lookups (GET /{version}/{media id} → a short-lived URL on another host that
 * needs the same Bearer token), message templates (GET /{version}/{waba id}/message_templates), and the
 * Messenger/Instagram Send API (POST /{version}/{page id}/messages). Errors use Graph's
 * `{ error: { message, type, code, error_subcode, fbtrace_id } }`. Webhooks are signed here with
 * X-Hub-Signature-256 independently of the code under test.
 */
export interface FakeGraph {
  url: string;
  cdnUrl: string;
  token: string;
  appSecret: string;
  sent: { path: string; body: Record<string, unknown>; id: string }[];
  /** Recipients Meta refuses: 400 with this Graph error. */
  refuse: Map<string, { code: number; subcode?: number; message: string }>;
  /** WhatsApp media by id: `failTimes` answers 500 that many times first. */
  media: Map<string, { data: Buffer; contentType: string; failTimes: number }>;
  /** Files on the Messenger/Instagram CDN (no token). */
  cdn: Map<string, { data: Buffer; contentType: string }>;
  templates: Record<string, unknown>[];
  tokenLeaks: number;
  close(): Promise<void>;
}

export const hex = (n: number) =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
export const signLikeMeta = (appSecret: string, body: Buffer | string) =>
  `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;

export async function startFakeGraph(): Promise<FakeGraph> {
  const fake: FakeGraph = {
    url: '',
    cdnUrl: '',
    token: `EAAG${hex(60)}`,
    appSecret: hex(32),
    sent: [],
    refuse: new Map(),
    media: new Map(),
    cdn: new Map(),
    templates: [],
    tokenLeaks: 0,
    close: async () => {},
  };
  const graphError = (
    res: http.ServerResponse,
    status: number,
    code: number,
    message: string,
    subcode?: number,
  ) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: {
          message,
          type: 'OAuthException',
          code,
          ...(subcode ? { error_subcode: subcode } : {}),
          fbtrace_id: 'A1b2C3',
        },
      }),
    );
  };
  const json = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const api = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      if (req.headers.authorization !== `Bearer ${fake.token}`)
        return graphError(res, 401, 190, 'Error validating access token: Session has expired');
      const send = url.pathname.match(/^\/v\d+\.\d\/(\d+)\/messages$/);
      if (send && req.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const to = String(body.to ?? (body.recipient as { id?: string } | undefined)?.id ?? '');
        const refused = fake.refuse.get(to);
        if (refused) return graphError(res, 400, refused.code, refused.message, refused.subcode);
        if (body.messaging_product === 'whatsapp') {
          const id = `wamid.${hex(40)}`;
          fake.sent.push({ path: url.pathname, body, id });
          return json(res, {
            messaging_product: 'whatsapp',
            contacts: [{ input: to, wa_id: to }],
            messages: [{ id }],
          });
        }
        const id = `m_${hex(40)}`;
        fake.sent.push({ path: url.pathname, body, id });
        return json(res, { recipient_id: to, message_id: id });
      }
      const tpl = url.pathname.match(/^\/v\d+\.\d\/(\d+)\/message_templates$/);
      if (tpl) return json(res, { data: fake.templates, paging: { cursors: { before: 'a', after: 'b' } } });
      const media = url.pathname.match(/^\/v\d+\.\d\/(\d+)$/);
      if (media) {
        const m = fake.media.get(media[1]!);
        if (!m) return graphError(res, 400, 100, 'Unsupported get request');
        return json(res, {
          messaging_product: 'whatsapp',
          url: `${fake.cdnUrl}/whatsapp_business/attachments/?mid=${media[1]}&ext=1&hash=ATx`,
          mime_type: m.contentType,
          sha256: 'x',
          file_size: m.data.length,
          id: media[1],
        });
      }
      graphError(res, 404, 803, 'Unknown path');
    });
  });
  const cdn = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/whatsapp_business/attachments/') {
      // The lookaside host wants the same token.
      if (req.headers.authorization !== `Bearer ${fake.token}`) return graphError(res, 401, 190, 'no token');
      const m = fake.media.get(url.searchParams.get('mid') ?? '');
      if (!m) return graphError(res, 404, 100, 'gone');
      if (m.failTimes > 0) {
        m.failTimes--;
        res.writeHead(500);
        return res.end();
      }
      res.writeHead(200, { 'content-type': m.contentType });
      return res.end(m.data);
    }
    if (req.headers.authorization) fake.tokenLeaks++;
    const f = fake.cdn.get(url.pathname.slice(1));
    if (!f) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': f.contentType });
    res.end(f.data);
  });
  await new Promise<void>((ok) => api.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => cdn.listen(0, '127.0.0.1', ok));
  fake.url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  fake.cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  fake.close = async () => {
    await new Promise<void>((ok) => api.close(() => ok()));
    await new Promise<void>((ok) => cdn.close(() => ok()));
  };
  return fake;
}

/** A WhatsApp Cloud API `messages` webhook body as documented (one change, one message or status). */
export function whatsAppWebhook(o: {
  phoneNumberId: string;
  from?: string;
  name?: string;
  message?: Record<string, unknown>;
  status?: Record<string, unknown>;
}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: o.phoneNumberId },
              ...(o.message
                ? {
                    contacts: [{ profile: { name: o.name ?? 'Sheena Nelson' }, wa_id: o.from }],
                    messages: [{ from: o.from, ...o.message }],
                  }
                : {}),
              ...(o.status ? { statuses: [o.status] } : {}),
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** A Messenger (`page`) or Instagram (`instagram`) webhook with one messaging event. */
export function pageWebhook(object: 'page' | 'instagram', pageId: string, event: Record<string, unknown>) {
  return { object, entry: [{ time: Date.now(), id: pageId, messaging: [event] }] };
}
