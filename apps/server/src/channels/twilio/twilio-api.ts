import { type OutboundPolicy, outboundFetch, withoutTrailingSlashes } from '../../platform/http/outbound.ts';
import { twilioErrorInWords } from './errors.ts';

/** What the REST client needs: where Twilio is, how to reach it (the outbound guard), the credentials. */
export interface TwilioClientOptions {
  apiUrl: string;
  /** The workspace's outbound policy (its allow-list of private ranges, if any). */
  policy: (workspaceId: number) => Promise<OutboundPolicy>;
}
export interface TwilioCredentials {
  workspaceId: number;
  accountSid: string;
  authToken: string;
}

/** An answer Twilio gave with an error code: 4xx cannot succeed on retry; 429 and 5xx may. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
  get retryable() {
    return this.status === 429 || this.status >= 500;
  }
}

const basic = (c: TwilioCredentials) =>
  `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;

/** Twilio's REST API (2010-04-01), the few calls the desk makes, through platform/http/outbound.ts. */
export function createTwilioApi(opts: TwilioClientOptions) {
  const base = withoutTrailingSlashes(opts.apiUrl);
  const apiOrigin = new URL(base).origin;

  async function post(c: TwilioCredentials, path: string, form: Record<string, string | undefined>) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v !== undefined && v !== '') body.append(k, v);
    const res = await outboundFetch(
      `${base}/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}${path}`,
      await opts.policy(c.workspaceId),
      {
        method: 'POST',
        headers: {
          authorization: basic(c),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: body.toString(),
        attempts: 3,
        timeoutMs: 15_000,
      },
    );
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      // an HTML error page from a proxy: the status says enough
    }
    if (res.status >= 400) {
      const code = json.code == null ? null : String(json.code);
      throw new TwilioApiError(
        res.status,
        code,
        res.status === 401
          ? 'Twilio refused the Account SID and Auth Token (check them in the SMS settings)'
          : twilioErrorInWords(code, typeof json.message === 'string' ? json.message : `HTTP ${res.status}`),
      );
    }
    return json;
  }

  return {
    /** POST Messages.json: returns the message SID and its first status (queued, accepted). */
    async sendMessage(
      c: TwilioCredentials,
      m: {
        to: string;
        from?: string | null;
        messagingServiceSid?: string | null;
        body: string;
        statusCallback?: string;
      },
    ) {
      const json = await post(c, '/Messages.json', {
        To: m.to,
        From: m.messagingServiceSid ? undefined : (m.from ?? undefined),
        MessagingServiceSid: m.messagingServiceSid ?? undefined,
        Body: m.body,
        StatusCallback: m.statusCallback,
      });
      return { sid: String(json.sid), status: String(json.status ?? 'queued') };
    },
    /**
     * POST Calls.json: rings `to` from `from` and runs the inline TwiML when answered; the call's final
     * status goes to `statusCallback` (Twilio's default event, `completed`).
     */
    async createCall(
      c: TwilioCredentials,
      call: { to: string; from: string; twiml: string; statusCallback: string },
    ) {
      const json = await post(c, '/Calls.json', {
        To: call.to,
        From: call.from,
        Twiml: call.twiml,
        StatusCallback: call.statusCallback,
        StatusCallbackMethod: 'POST',
        Timeout: '30',
      });
      return { callSid: String(json.sid), status: String(json.status ?? 'queued') };
    },
    /**
     * Downloads an MMS media file. Twilio answers media URLs with a redirect to its CDN; the credentials go
     * only to Twilio's own API origin, never to another host (outbound.ts drops them on a cross-origin hop).
     */
    async fetchMedia(c: TwilioCredentials, url: string, maxBytes: number) {
      const sameOrigin = new URL(url).origin === apiOrigin;
      const res = await outboundFetch(url, await opts.policy(c.workspaceId), {
        headers: sameOrigin ? { authorization: basic(c) } : {},
        maxRedirects: 3,
        attempts: 2,
        timeoutMs: 30_000,
        maxBytes,
      });
      if (res.status !== 200)
        throw new TwilioApiError(res.status, null, `Media download answered HTTP ${res.status}`);
      return {
        data: res.body,
        contentType: res.headers.get('content-type')?.split(';')[0]?.trim() ?? 'application/octet-stream',
      };
    },
  };
}
export type TwilioApi = ReturnType<typeof createTwilioApi>;
