import { createHash } from 'node:crypto';
import type { WhatsAppSettings } from '@shopdesk/contracts';
import { type ChannelAccount, type InboundItem, WebhookRejected } from '../inbound.ts';
import { graphErrorInWords } from './errors.ts';
import type { GraphApi } from './graph-api.ts';

/*
 * WhatsApp Cloud API webhooks (`object: whatsapp_business_account`): entry[].changes[] with
 * `field: messages` carry `value.messages` (what customers write) and `value.statuses` (what happened to
 * what we sent). Other fields (template status updates, account alerts) are acknowledged and not stored.
 */

interface WaMessage {
  from?: string;
  id?: string;
  timestamp?: string;
  type?: string;
  text?: { body?: string };
  context?: { id?: string; forwarded?: boolean };
  image?: WaMedia;
  video?: WaMedia;
  audio?: WaMedia;
  voice?: WaMedia;
  document?: WaMedia & { filename?: string };
  sticker?: WaMedia;
  location?: { latitude?: number; longitude?: number; name?: string; address?: string };
  contacts?: { name?: { formatted_name?: string }; phones?: { phone?: string }[] }[];
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
  };
  button?: { text?: string; payload?: string };
  reaction?: { message_id?: string; emoji?: string };
  order?: { product_items?: { product_retailer_id?: string; quantity?: number }[] };
  errors?: { code?: number; title?: string }[];
}
interface WaMedia {
  id?: string;
  mime_type?: string;
  caption?: string;
}
interface WaStatus {
  id?: string;
  status?: string;
  timestamp?: string;
  recipient_id?: string;
  errors?: { code?: number; title?: string; message?: string; error_data?: { details?: string } }[];
}
interface WaValue {
  metadata?: { phone_number_id?: string; display_phone_number?: string };
  contacts?: { wa_id?: string; profile?: { name?: string } }[];
  messages?: WaMessage[];
  statuses?: WaStatus[];
}

export function parseWhatsApp(body: Buffer): { values: WaValue[] } {
  let json: { object?: unknown; entry?: { changes?: { field?: string; value?: WaValue }[] }[] };
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookRejected(400, 'The body is not JSON');
  }
  if (json?.object !== 'whatsapp_business_account' || !Array.isArray(json.entry))
    throw new WebhookRejected(400, 'Not a WhatsApp Business Account webhook (object, entry)');
  const values: WaValue[] = [];
  for (const e of json.entry)
    for (const c of Array.isArray(e?.changes) ? e.changes : [])
      if (c?.field === 'messages' && c.value && typeof c.value === 'object') values.push(c.value);
  return { values };
}

/** The delivery's id: the one message or status it carries, else a hash of the bytes (Meta retries byte-identical). */
export function whatsAppProviderId(body: Buffer, values: WaValue[]): string | null {
  const ids: string[] = [];
  for (const v of values) {
    for (const m of v.messages ?? []) if (m.id) ids.push(`msg:${m.id}`);
    for (const s of v.statuses ?? []) if (s.id && s.status) ids.push(`status:${s.id}:${s.status}`);
  }
  if (ids.length === 0) return null;
  if (ids.length === 1) return ids[0]!.slice(0, 400);
  return `body:${createHash('sha256').update(body).digest('hex')}`;
}

const STATUS: Record<string, 'sent' | 'delivered' | 'read' | 'failed'> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
};
const MEDIA = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'application/pdf': 'pdf',
};

/** Seconds since the epoch as Meta sends them → a Date (the provider's time, never our arrival time). */
export const epochSeconds = (s: string | undefined, fallback: Date) => {
  const n = Number(s);
  return Number.isFinite(n) && n > 1_000_000_000 ? new Date(n * 1000) : fallback;
};

/** The text an agent reads for a message that is not plain text. */
function describe(m: WaMessage): string {
  switch (m.type) {
    case 'text':
      return m.text?.body ?? '';
    case 'location': {
      const l = m.location ?? {};
      const place = [l.name, l.address].filter(Boolean).join(', ');
      return `📍 Shared a location${place ? `: ${place}` : ''} (${l.latitude}, ${l.longitude}) https://maps.google.com/?q=${l.latitude},${l.longitude}`;
    }
    case 'contacts':
      return `Shared ${m.contacts?.length === 1 ? 'a contact' : 'contacts'}: ${(m.contacts ?? [])
        .map((c) =>
          `${c.name?.formatted_name ?? '?'} ${(c.phones ?? []).map((p) => p.phone).join(', ')}`.trim(),
        )
        .join('; ')}`;
    case 'interactive': {
      const i = m.interactive;
      const r = i?.button_reply ?? i?.list_reply;
      if (r?.title) return r.title;
      return `[interactive reply${m.errors?.[0]?.title ? `: ${m.errors[0].title}` : ''}]`;
    }
    case 'button':
      return m.button?.text ?? '';
    case 'reaction':
      return m.reaction?.emoji ? `Reacted ${m.reaction.emoji} to a message` : 'Removed a reaction';
    case 'order':
      return `Sent a cart: ${(m.order?.product_items ?? []).map((p) => `${p.quantity ?? 1} × ${p.product_retailer_id}`).join(', ')}`;
    default:
      if (MEDIA.includes(m.type as (typeof MEDIA)[number]))
        return (m[m.type as (typeof MEDIA)[number]] as WaMedia | undefined)?.caption ?? '';
      return `[${m.type ?? 'unknown'} message WhatsApp cannot show here${m.errors?.[0]?.title ? `: ${m.errors[0].title}` : ''}]`;
  }
}

export async function readWhatsApp(
  body: Buffer,
  receivedAt: Date,
  account: ChannelAccount<WhatsAppSettings>,
  api: GraphApi,
  maxMediaBytes: number,
): Promise<InboundItem[]> {
  const { values } = parseWhatsApp(body);
  const out: InboundItem[] = [];
  const creds = {
    workspaceId: account.workspaceId,
    accessToken: account.secrets.accessToken!,
    version: account.settings.graphVersion,
  };
  for (const v of values) {
    // One Meta app can serve several numbers: what is for another number is not this inbox's.
    if (v.metadata?.phone_number_id && v.metadata.phone_number_id !== account.settings.phoneNumberId) {
      out.push({ type: 'ignored', reason: `for phone number id ${v.metadata.phone_number_id}` });
      continue;
    }
    for (const s of v.statuses ?? []) {
      const status = s.status ? STATUS[s.status] : undefined;
      if (!s.id || !status) {
        out.push({ type: 'ignored', reason: `status ${s.status}` });
        continue;
      }
      const e = s.errors?.[0];
      out.push({
        type: 'receipt',
        externalId: s.id,
        status,
        error:
          status === 'failed'
            ? graphErrorInWords(
                e?.code ?? null,
                null,
                e?.error_data?.details ?? e?.message ?? e?.title ?? 'failed',
              )
            : null,
      });
    }
    for (const m of v.messages ?? []) {
      if (!m.id || !m.from) continue;
      const profile = v.contacts?.find((c) => c.wa_id === m.from) ?? v.contacts?.[0];
      const attachments: { filename: string; contentType: string; data: Buffer }[] = [];
      const media = MEDIA.includes(m.type as (typeof MEDIA)[number])
        ? (m[m.type as (typeof MEDIA)[number]] as (WaMedia & { filename?: string }) | undefined)
        : undefined;
      if (media?.id) {
        // The media URL expires within minutes: fetched now; a failure throws and the job retries.
        const f = await api.fetchWhatsAppMedia(creds, media.id, maxMediaBytes);
        const type = media.mime_type?.split(';')[0]?.trim() || f.contentType;
        attachments.push({
          filename: media.filename ?? `whatsapp-${m.type}-${media.id}.${EXT[type] ?? 'bin'}`,
          contentType: type,
          data: f.data,
        });
      }
      const text = describe(m);
      const preview = text.replace(/\s+/g, ' ').trim();
      const phone = `+${m.from}`;
      out.push({
        type: 'message',
        message: {
          from: {
            phone,
            name: profile?.profile?.name ?? null,
            identity: { kind: 'whatsapp', value: m.from },
          },
          threadKey: m.from,
          subject: preview
            ? preview.length > 60
              ? `${preview.slice(0, 57)}…`
              : preview
            : `WhatsApp ${m.type ?? 'message'} from ${phone}`,
          bodyText: text,
          externalId: m.id,
          receivedAt: epochSeconds(m.timestamp, receivedAt),
          attachments,
          meta: {
            whatsapp: {
              type: m.type ?? null,
              to: v.metadata?.display_phone_number ?? null,
              ...(m.context?.id ? { inReplyTo: m.context.id } : {}),
              ...(m.context?.forwarded ? { forwarded: true } : {}),
              ...(m.interactive
                ? { reply: m.interactive.button_reply?.id ?? m.interactive.list_reply?.id }
                : {}),
              ...(m.button?.payload ? { reply: m.button.payload } : {}),
            },
          },
        },
      });
    }
  }
  return out;
}
