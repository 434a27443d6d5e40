import { type OutboundPolicy, outboundFetch, withoutTrailingSlashes } from '../../platform/http/outbound.ts';
import { graphErrorInWords } from './errors.ts';

export interface GraphClientOptions {
  apiUrl: string;
  policy: (workspaceId: number) => Promise<OutboundPolicy>;
}
export interface GraphCredentials {
  workspaceId: number;
  accessToken: string;
  version: string;
}

/** An error answer from the Graph API: `{ error: { message, type, code, error_subcode } }`. */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    readonly subcode: number | null,
    message: string,
  ) {
    super(message);
  }
  /** Throttling and Meta's transient errors may succeed later; everything else will not. */
  get retryable() {
    return (
      this.status === 429 ||
      this.status >= 500 ||
      [1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131056].includes(this.code ?? -1)
    );
  }
}

/** The few Graph API calls the desk makes, through platform/http/outbound.ts (Bearer token). */
export function createGraphApi(opts: GraphClientOptions) {
  const base = withoutTrailingSlashes(opts.apiUrl);
  const apiOrigin = new URL(base).origin;

  async function call(c: GraphCredentials, method: 'GET' | 'POST', path: string, body?: unknown) {
    const res = await outboundFetch(`${base}/${c.version}/${path}`, await opts.policy(c.workspaceId), {
      method,
      headers: {
        authorization: `Bearer ${c.accessToken}`,
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      attempts: 3,
      timeoutMs: 15_000,
    });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      // a proxy's HTML page: the status says enough
    }
    if (res.status >= 400 || json.error) {
      const e = (json.error ?? {}) as { message?: string; code?: number; error_subcode?: number };
      const code = typeof e.code === 'number' ? e.code : null;
      const sub = typeof e.error_subcode === 'number' ? e.error_subcode : null;
      throw new GraphApiError(
        res.status,
        code,
        sub,
        graphErrorInWords(code, sub, e.message ?? `HTTP ${res.status}`),
      );
    }
    return json;
  }

  return {
    /** POST /{phone-number-id}/messages (WhatsApp Cloud API): the wamid of the accepted message. */
    async sendWhatsApp(c: GraphCredentials, phoneNumberId: string, message: Record<string, unknown>) {
      const json = await call(c, 'POST', `${encodeURIComponent(phoneNumberId)}/messages`, {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        ...message,
      });
      const id = (json.messages as { id?: string }[] | undefined)?.[0]?.id;
      if (!id) throw new GraphApiError(502, null, null, 'WhatsApp accepted the message without an id');
      return { id };
    },
    /** POST /{page-or-ig-id}/messages (Messenger Platform, Instagram messaging): the mid. */
    async sendPageMessage(c: GraphCredentials, pageId: string, body: Record<string, unknown>) {
      const json = await call(c, 'POST', `${encodeURIComponent(pageId)}/messages`, body);
      const id = typeof json.message_id === 'string' ? json.message_id : null;
      if (!id) throw new GraphApiError(502, null, null, 'Meta accepted the message without an id');
      return { id };
    },
    /** GET /{waba-id}/message_templates: every template with its components (one page of 200). */
    async listTemplates(c: GraphCredentials, wabaId: string) {
      const json = await call(
        c,
        'GET',
        `${encodeURIComponent(wabaId)}/message_templates?fields=name,language,status,category,components&limit=200`,
      );
      return (json.data ?? []) as {
        name: string;
        language: string;
        status: string;
        category: string;
        components?: { type: string; format?: string; text?: string }[];
      }[];
    },
    /**
     * WhatsApp media: GET /{media-id} gives a URL valid for minutes, which is fetched at once with the
     * same token. The token goes only to Meta's API origin and the media URL it named (lookaside host).
     */
    async fetchWhatsAppMedia(c: GraphCredentials, mediaId: string, maxBytes: number) {
      const meta = await call(c, 'GET', encodeURIComponent(mediaId));
      const url = typeof meta.url === 'string' ? meta.url : null;
      if (!url) throw new GraphApiError(502, null, null, `No URL for media ${mediaId}`);
      return download(c.workspaceId, url, maxBytes, `Bearer ${c.accessToken}`);
    },
    /** Messenger/Instagram attachments carry a CDN URL that needs no token (and must not get one). */
    fetchUrl: (workspaceId: number, url: string, maxBytes: number) =>
      download(workspaceId, url, maxBytes, null),
    apiOrigin,
  };

  async function download(workspaceId: number, url: string, maxBytes: number, auth: string | null) {
    const res = await outboundFetch(url, await opts.policy(workspaceId), {
      headers: auth ? { authorization: auth } : {},
      maxRedirects: 3,
      attempts: 2,
      timeoutMs: 30_000,
      maxBytes,
    });
    if (res.status !== 200)
      throw new GraphApiError(res.status, null, null, `Media download answered HTTP ${res.status}`);
    return {
      data: res.body,
      contentType: res.headers.get('content-type')?.split(';')[0]?.trim() ?? 'application/octet-stream',
    };
  }
}
export type GraphApi = ReturnType<typeof createGraphApi>;
