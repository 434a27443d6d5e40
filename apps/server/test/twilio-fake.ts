import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio: the REST calls the desk makes (Messages.json with Basic auth, media files
 * behind a redirect) and webhooks form-encoded and signed the way Twilio documents X-Twilio-Signature —
 * written here independently of the code under test.
 */
export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  sent: {
    to: string;
    from?: string;
    messagingServiceSid?: string;
    body: string;
    statusCallback?: string;
    sid: string;
  }[];
  /** Numbers Twilio refuses with this error code (400). */
  refuse: Map<string, { code: number; message: string }>;
  /** Media served at /media/<name>; `failTimes` answers 500 that many times first. */
  media: Map<string, { data: Buffer; contentType: string; failTimes: number }>;
  unauthorizedCalls: number;
  /** Calls placed through Calls.json (click-to-call). */
  calls: { to: string; from: string; twiml: string; statusCallback?: string; sid: string }[];
  /** Call recordings at /2010-04-01/Accounts/<sid>/Recordings/<RecordingSid>.mp3 (Basic auth). */
  recordings: Map<string, Buffer>;
  close(): Promise<void>;
}

export const hex = (n: number) => randomBytes(n / 2).toString('hex');

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const fake: FakeTwilio = {
    url: '',
    accountSid: `AC${hex(32)}`,
    authToken: hex(32),
    sent: [],
    refuse: new Map(),
    media: new Map(),
    unauthorizedCalls: 0,
    calls: [],
    recordings: new Map(),
    close: async () => {},
  };
  let cdnUrl = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const m = url.pathname.match(/^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/);
      if (m && req.method === 'POST') {
        const expected = `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`;
        if (m[1] !== fake.accountSid || req.headers.authorization !== expected) {
          fake.unauthorizedCalls++;
          return json(401, { code: 20003, message: 'Authenticate', status: 401 });
        }
        const f = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const to = f.get('To') ?? '';
        const refused = fake.refuse.get(to);
        if (refused)
          return json(400, { ...refused, status: 400, more_info: 'https://www.twilio.com/docs/errors' });
        const sid = `SM${hex(32)}`;
        fake.sent.push({
          to,
          from: f.get('From') ?? undefined,
          messagingServiceSid: f.get('MessagingServiceSid') ?? undefined,
          body: f.get('Body') ?? '',
          statusCallback: f.get('StatusCallback') ?? undefined,
          sid,
        });
        return json(201, { sid, status: 'queued', to, body: f.get('Body'), account_sid: fake.accountSid });
      }
      const call = url.pathname.match(/^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\.json$/);
      if (call && req.method === 'POST') {
        const expected = `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`;
        if (call[1] !== fake.accountSid || req.headers.authorization !== expected) {
          fake.unauthorizedCalls++;
          return json(401, { code: 20003, message: 'Authenticate', status: 401 });
        }
        const f = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const to = f.get('To') ?? '';
        const refused = fake.refuse.get(to);
        if (refused)
          return json(400, { ...refused, status: 400, more_info: 'https://www.twilio.com/docs/errors' });
        // Twilio requires one of Url, Twiml or ApplicationSid (error 21205 otherwise).
        if (!f.get('Twiml') && !f.get('Url'))
          return json(400, { code: 21205, message: 'Url parameter is required.', status: 400 });
        const sid = `CA${hex(32)}`;
        fake.calls.push({
          to,
          from: f.get('From') ?? '',
          twiml: f.get('Twiml') ?? '',
          statusCallback: f.get('StatusCallback') ?? undefined,
          sid,
        });
        return json(201, { sid, status: 'queued', to, from: f.get('From'), account_sid: fake.accountSid });
      }
      const media = url.pathname.match(/^\/2010-04-01\/Accounts\/AC\w+\/Messages\/\w+\/Media\/(\w+)$/);
      if (media) {
        // Twilio redirects media to its CDN; the CDN needs no credentials.
        res.writeHead(307, { location: `${cdnUrl}/cdn/${media[1]}` });
        return res.end();
      }
      const rec = url.pathname.match(/^\/2010-04-01\/Accounts\/(AC\w+)\/Recordings\/(RE\w+)\.mp3$/);
      if (rec) {
        const expected = `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return json(401, { code: 20003 });
        const data = fake.recordings.get(rec[2]!);
        if (!data) return json(404, { code: 20404, message: 'not found yet' });
        res.writeHead(200, { 'content-type': 'audio/mpeg' });
        return res.end(data);
      }
      const cdn = url.pathname.match(/^\/cdn\/(\w+)$/);
      if (cdn) {
        const item = fake.media.get(cdn[1]!);
        if (!item) return json(404, {});
        if (req.headers.authorization) return json(400, { message: 'credentials leaked to the CDN' });
        if (item.failTimes > 0) {
          item.failTimes--;
          return json(500, {});
        }
        res.writeHead(200, { 'content-type': item.contentType });
        return res.end(item.data);
      }
      json(404, { message: 'not found' });
    });
  });
  // The media CDN is another origin, as Twilio's is: credentials must not follow the redirect there.
  const cdn = http.createServer((req, res) => server.emit('request', req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => cdn.listen(0, '127.0.0.1', ok));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  fake.close = async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    await new Promise<void>((ok) => cdn.close(() => ok()));
  };
  return fake;
}

/** X-Twilio-Signature over the full URL and the POST fields sorted by name (Twilio's documented scheme). */
export function signLikeTwilio(authToken: string, url: string, fields: [string, string][]) {
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const data = url + sorted.map(([k, v]) => k + v).join('');
  return createHmac('sha1', authToken).update(data).digest('base64');
}

/** The fields of an incoming SMS in the order real captures list them. */
export function incomingSms(o: {
  accountSid: string;
  from: string;
  to: string;
  body: string;
  sid?: string;
  media?: { url: string; type: string }[];
}) {
  const sid = o.sid ?? `SM${hex(32)}`;
  const f: [string, string][] = [
    ['ToCountry', 'US'],
    ['ToState', 'CA'],
    ['SmsMessageSid', sid],
    ['NumMedia', String(o.media?.length ?? 0)],
    ['ToCity', ''],
    ['FromZip', ''],
    ['SmsSid', sid],
    ['FromState', ''],
    ['SmsStatus', 'received'],
    ['FromCity', ''],
    ['Body', o.body],
    ['FromCountry', 'US'],
    ['To', o.to],
    ['ToZip', ''],
    ['NumSegments', '1'],
    ['MessageSid', sid],
    ['AccountSid', o.accountSid],
    ['From', o.from],
    ['ApiVersion', '2010-04-01'],
  ];
  (o.media ?? []).forEach((m, i) => {
    f.push([`MediaContentType${i}`, m.type], [`MediaUrl${i}`, m.url]);
  });
  return { sid, fields: f };
}

export function statusCallback(o: {
  accountSid: string;
  sid: string;
  status: string;
  errorCode?: string;
  to: string;
  from: string;
}) {
  const f: [string, string][] = [
    ['SmsSid', o.sid],
    ['SmsStatus', o.status],
    ['MessageStatus', o.status],
    ['To', o.to],
    ['MessageSid', o.sid],
    ['AccountSid', o.accountSid],
    ['From', o.from],
    ['ApiVersion', '2010-04-01'],
  ];
  if (o.errorCode) f.push(['ErrorCode', o.errorCode]);
  return f;
}

/** The standard fields of a voice request (incoming call, <Record> action, transcription callback). */
export function voiceFields(
  o: { accountSid: string; callSid: string; from: string; to: string; status?: string },
  extra: [string, string][] = [],
) {
  const f: [string, string][] = [
    ['AccountSid', o.accountSid],
    ['ApiVersion', '2010-04-01'],
    ['CallSid', o.callSid],
    ['CallStatus', o.status ?? 'ringing'],
    ['Called', o.to],
    ['Caller', o.from],
    ['Direction', 'inbound'],
    ['From', o.from],
    ['To', o.to],
  ];
  return [...f, ...extra];
}
