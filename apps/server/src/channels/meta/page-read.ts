import { createHash } from 'node:crypto';
import type { MetaPageSettings } from '@shopdesk/contracts';
import { type ChannelAccount, type InboundItem, WebhookRejected } from '../inbound.ts';
import type { GraphApi } from './graph-api.ts';

/*
 * Messenger (`object: page`) and Instagram messaging (`object: instagram`) webhooks share one envelope:
 * entry[].messaging[] events with sender, recipient, timestamp (ms) and one of message (text,
 * attachments, is_echo, reply_to), postback, delivery, read, reaction. Built from Meta's webhook
 * reference (docs/messaging-apps.md names the pages).
 */

export type PageChannel = 'messenger' | 'instagram';
const OBJECT: Record<PageChannel, string> = { messenger: 'page', instagram: 'instagram' };
const LABEL: Record<PageChannel, string> = { messenger: 'Messenger', instagram: 'Instagram' };
/** Sends from this desk carry this metadata; their echoes are ours and never recorded again. */
export const OUR_METADATA_PREFIX = 'shopdesk:';

interface Attachment {
  type?: string;
  payload?: { url?: string; title?: string; reel_video_id?: string };
}
interface PageEvent {
  sender?: { id?: string };
  recipient?: { id?: string };
  timestamp?: number;
  message?: {
    mid?: string;
    text?: string;
    is_echo?: boolean;
    metadata?: string;
    attachments?: Attachment[];
    quick_reply?: { payload?: string };
    reply_to?: { mid?: string; story?: { url?: string; id?: string } };
    is_deleted?: boolean;
    is_unsupported?: boolean;
  };
  postback?: { mid?: string; title?: string; payload?: string };
  delivery?: { mids?: string[]; watermark?: number };
  read?: { mid?: string; watermark?: number };
  reaction?: { mid?: string; action?: string; emoji?: string; reaction?: string };
}

export function parsePage(channel: PageChannel, body: Buffer) {
  let json: { object?: unknown; entry?: { id?: string; messaging?: PageEvent[] }[] };
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookRejected(400, 'The body is not JSON');
  }
  if (json?.object !== OBJECT[channel] || !Array.isArray(json.entry))
    throw new WebhookRejected(400, `Not a ${LABEL[channel]} webhook (object "${OBJECT[channel]}", entry)`);
  const events: { pageId: string | null; e: PageEvent }[] = [];
  for (const entry of json.entry)
    for (const e of Array.isArray(entry?.messaging) ? entry.messaging : [])
      if (e && typeof e === 'object') events.push({ pageId: entry.id == null ? null : String(entry.id), e });
  return events;
}

function eventId(e: PageEvent): string | null {
  if (e.message?.mid) return `mid:${e.message.mid}`;
  if (e.postback) return `postback:${e.postback.mid ?? `${e.sender?.id}:${e.timestamp}`}`;
  if (e.delivery) return `delivery:${(e.delivery.mids ?? []).join(',')}:${e.delivery.watermark ?? ''}`;
  if (e.read) return `read:${e.sender?.id}:${e.read.mid ?? e.read.watermark ?? ''}`;
  if (e.reaction)
    return `reaction:${e.reaction.mid}:${e.reaction.action}:${e.reaction.emoji ?? ''}:${e.timestamp}`;
  return null;
}

export function pageProviderId(body: Buffer, events: { e: PageEvent }[]): string | null {
  const ids = events.map((x) => eventId(x.e)).filter((x): x is string => !!x);
  if (ids.length === 0) return null;
  if (ids.length === 1) return ids[0]!.slice(0, 400);
  return `body:${createHash('sha256').update(body).digest('hex')}`;
}

const msTime = (n: number | undefined, fallback: Date) =>
  typeof n === 'number' && n > 1_000_000_000_000 ? new Date(n) : fallback;

function attachmentText(a: Attachment, label: string): string | null {
  const url = a.payload?.url;
  switch (a.type) {
    case 'story_mention':
      return `Mentioned the shop in their story${url ? `: ${url}` : ''}`;
    case 'share':
    case 'ig_reel':
    case 'reel':
    case 'ig_post':
    case 'template':
    case 'fallback':
      return `Shared ${a.payload?.title ? `“${a.payload.title}”` : `${label === 'Instagram' ? 'an' : 'a'} ${label} post`}${url ? `: ${url}` : ''}`;
    default:
      return null;
  }
}
const DOWNLOAD = new Set(['image', 'video', 'audio', 'file']);

export async function readPage(
  channel: PageChannel,
  body: Buffer,
  receivedAt: Date,
  account: ChannelAccount<MetaPageSettings>,
  api: GraphApi,
  maxMediaBytes: number,
): Promise<InboundItem[]> {
  const label = LABEL[channel];
  const out: InboundItem[] = [];
  for (const { pageId, e } of parsePage(channel, body)) {
    if (pageId && pageId !== account.settings.pageId) {
      out.push({ type: 'ignored', reason: `for ${label} account ${pageId}` });
      continue;
    }
    if (e.delivery) {
      for (const mid of e.delivery.mids ?? [])
        out.push({ type: 'receipt', externalId: mid, status: 'delivered' });
      // Without mids Meta only gives a watermark (everything before it): not mapped to messages yet.
      if (!e.delivery.mids?.length) out.push({ type: 'ignored', reason: 'delivery watermark without mids' });
      continue;
    }
    if (e.read) {
      if (e.read.mid) out.push({ type: 'receipt', externalId: e.read.mid, status: 'read' });
      else out.push({ type: 'ignored', reason: 'read watermark without mid' });
      continue;
    }
    const m = e.message;
    if (m?.is_echo) {
      // Our own sends come back as echoes carrying our metadata: already on the ticket.
      if (m.metadata?.startsWith(OUR_METADATA_PREFIX) || !e.recipient?.id) {
        out.push({ type: 'ignored', reason: 'echo of a message sent from the desk' });
        continue;
      }
      // Sent from Meta's own inbox or app: recorded once (the delivery is stored once by its mid).
      out.push({
        type: 'note',
        threadKey: e.recipient.id,
        text: `Sent from ${label} outside the desk: ${m.text ?? (m.attachments ?? []).map((a) => a.type).join(', ')}`,
        author: label,
        skipWithoutThread: true,
      });
      continue;
    }
    const user = e.sender?.id;
    if (!user) {
      out.push({ type: 'ignored', reason: 'no sender' });
      continue;
    }
    let text: string;
    const meta: Record<string, unknown> = {};
    const attachments: { filename: string; contentType: string; data: Buffer }[] = [];
    let externalId: string;
    if (m?.mid) {
      externalId = m.mid;
      if (m.is_deleted) {
        out.push({ type: 'ignored', reason: 'the customer deleted a message' });
        continue;
      }
      const lines: string[] = [];
      if (m.reply_to?.story) {
        lines.push(`Replied to the shop's story${m.reply_to.story.url ? `: ${m.reply_to.story.url}` : ''}`);
        meta.story = { id: m.reply_to.story.id ?? null, url: m.reply_to.story.url ?? null };
      }
      if (m.text) lines.push(m.text);
      let n = 0;
      for (const a of m.attachments ?? []) {
        const t = attachmentText(a, label);
        if (t) {
          lines.push(t);
          meta.shared = [
            ...((meta.shared as unknown[]) ?? []),
            { type: a.type, url: a.payload?.url ?? null },
          ];
        } else if (a.type && DOWNLOAD.has(a.type) && a.payload?.url) {
          // CDN URLs expire: downloaded now; a failure throws and the job retries.
          const f = await api.fetchUrl(account.workspaceId, a.payload.url, maxMediaBytes);
          n++;
          attachments.push({
            filename: `${channel}-${a.type}-${n}.${f.contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') || 'bin'}`,
            contentType: f.contentType,
            data: f.data,
          });
        }
      }
      if (m.is_unsupported) lines.push(`[a message ${label} cannot show here]`);
      if (m.quick_reply?.payload) meta.reply = m.quick_reply.payload;
      text = lines.join('\n');
    } else if (e.postback) {
      externalId = e.postback.mid ?? `postback:${user}:${e.timestamp}`;
      text = e.postback.title ?? e.postback.payload ?? '[button]';
      meta.reply = e.postback.payload ?? null;
    } else if (e.reaction?.mid) {
      externalId = `reaction:${e.reaction.mid}:${e.reaction.action}:${e.timestamp}`;
      text =
        e.reaction.action === 'unreact'
          ? 'Removed a reaction'
          : `Reacted ${e.reaction.emoji ?? e.reaction.reaction ?? ''} to a message`.replace('  ', ' ');
    } else {
      out.push({ type: 'ignored', reason: 'an event the desk does not use' });
      continue;
    }
    const preview = text.replace(/\s+/g, ' ').trim();
    out.push({
      type: 'message',
      message: {
        from: { identity: { kind: channel, value: user } },
        threadKey: user,
        subject: preview ? (preview.length > 60 ? `${preview.slice(0, 57)}…` : preview) : `${label} message`,
        bodyText: text,
        externalId,
        receivedAt: msTime(e.timestamp, receivedAt),
        attachments,
        meta: { [channel]: { ...meta, page: e.recipient?.id ?? null } },
      },
    });
  }
  return out;
}
