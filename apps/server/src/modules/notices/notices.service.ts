import type { Contact, TicketSummary } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import type { ShopperLinks } from '../helpcenter/index.ts';
import { type Calendar, isOpen, nextOpen } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { NoticeTemplateError, type NoticeValues, renderNotice, undeclared } from './notice-template.ts';
import * as repo from './notices.repository.ts';

/** A kind of notice a module sends (its id, the variables its callers give, its default wording). */
export interface NoticeKind {
  /** Dotted id, e.g. `order.delayed`, `return.approved`, `survey.invite`, `problem.update`. */
  kind: string;
  /** What the customer is told, in the shop's words (settings page, opt-out page). */
  description: string;
  /** Variables callers give; `customer.*`, `shop.name`, `ticket.id`, `notice.options_url` are automatic. */
  variables: readonly string[];
  /** Built-in wording per language; `en` is required and the last fallback. */
  templates: Record<string, { subject: string; body: string }>;
  /** Customers may decline this kind on the options page (default true). */
  optOut?: boolean;
  /** Counted against the frequency cap and held during quiet hours (default true). */
  throttled?: boolean;
}

/**
 * A channel notices can go out on. The message itself is delivered by the tickets module's channel
 * adapter of the same name (queued → deliver-message job); this says only whether it may be used.
 */
export interface NoticeChannel {
  channel: string;
  /** SMS, WhatsApp: only after the customer said yes. Email, chat: until the customer says no. */
  explicitConsent: boolean;
  /** The customer's address on this channel (consent is kept per address), null when there is none. */
  address(c: { contact: Contact; ticket: TicketSummary }): string | null;
  /** Whether the customer can be reached here now (an open session window); default: has an address. */
  reachable?(c: { contact: Contact; ticket: TicketSummary }): boolean | Promise<boolean>;
}

export interface NoticeRequest {
  workspaceId: number;
  kind: string;
  /** Every notice is about a ticket and lands on its timeline (open one first when there is none). */
  ticketId: number;
  /** Unique per workspace: asking again with the same key returns the first outcome, never sends twice. */
  dedupeKey: string;
  values?: NoticeValues;
  /** The customer's language; the workspace's default otherwise. */
  locale?: string;
  /** What it is about, for the record: `{ type: 'order', id }`, `{ type: 'return', id }` … */
  about?: { type: string; id: number };
  /** The agent who asked for it (problems' notify-all, a manual send); null for the system. */
  agentId?: number | null;
  /** Send now even inside quiet hours (a reply the customer is waiting for). */
  ignoreQuietHours?: boolean;
}

export type NoticeStatus = 'sent' | 'scheduled' | 'skipped';
export interface NoticeOutcome {
  id: number | null;
  dryRun: boolean;
  /** The dedupe key was already used: this is the first request's outcome. */
  duplicate: boolean;
  status: NoticeStatus;
  /** Why it was skipped: opted_out, capped, no_channel, no_contact, ticket_merged. */
  reason: string | null;
  kind: string;
  ticketId: number;
  contactId: number | null;
  contactName: string | null;
  contactEmail: string | null;
  channel: string | null;
  locale: string;
  subject: string;
  body: string;
  messageId: number | null;
  sendAfter: string | null;
}

export const AUTOMATIC_VARIABLES = [
  'customer.name',
  'customer.first_name',
  'shop.name',
  'ticket.id',
  'notice.options_url',
] as const;

const FOOTER: Record<string, string> = {
  en: 'Choose which messages you get from us: {url}',
  de: 'Wählen Sie, welche Nachrichten Sie von uns erhalten: {url}',
  fr: 'Choisissez les messages que vous recevez de notre part : {url}',
  es: 'Elige qué mensajes recibes de nosotros: {url}',
  nl: 'Kies welke berichten u van ons ontvangt: {url}',
};
const base = (l: string) => l.toLowerCase().split('-')[0]!;

/** Quiet hours as the calendar of hours a notice may go out ("HH:MM" local, quiet from start to end). */
export function sendingCalendar(
  s: Pick<repo.SettingsRow, 'timezone' | 'quiet_start' | 'quiet_end'>,
): Calendar | null {
  if (s.quiet_start === s.quiet_end) return null;
  const ranges =
    s.quiet_end < s.quiet_start
      ? [{ start: s.quiet_end, end: s.quiet_start }]
      : [
          { start: '00:00', end: s.quiet_start },
          { start: s.quiet_end, end: '24:00' },
        ].filter((r) => r.start !== r.end);
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
  return { timezone: s.timezone, weekly: Object.fromEntries(days.map((d) => [d, ranges])), holidays: [] };
}

export interface NoticesOptions {
  tickets: Pick<TicketsService, 'findSummary' | 'addSystemReply' | 'publishSystemEvents'>;
  contact: (workspaceId: number, contactId: number) => Promise<Contact | null>;
  shopperLinks: Pick<ShopperLinks, 'url'>;
  shopName: (workspaceId: number) => Promise<string>;
  /** The customer's consent on a channel address (intake's channel_consents), null when never given. */
  consent: (
    workspaceId: number,
    channel: string,
    address: string,
  ) => Promise<'opted-in' | 'opted-out' | null>;
  now?: () => Date;
}

export function createNoticesService(deps: Deps, o: NoticesOptions) {
  const { db } = deps;
  const now = o.now ?? (() => new Date());
  const kinds = new Map<string, NoticeKind>();
  const channels = new Map<string, NoticeChannel>();

  registerChannel({ channel: 'email', explicitConsent: false, address: ({ contact }) => contact.email });
  // A chat conversation is answered in the chat (the chat module falls back to e-mail when the visitor left).
  registerChannel({
    channel: 'chat',
    explicitConsent: false,
    address: ({ ticket }) => (ticket.channel === 'chat' ? `ticket:${ticket.id}` : null),
  });

  function registerKind(k: NoticeKind) {
    if (kinds.has(k.kind)) throw new Error(`notice kind ${k.kind} is already registered`);
    if (!k.templates.en) throw new Error(`notice kind ${k.kind} needs an English template`);
    const declared = [...k.variables, ...AUTOMATIC_VARIABLES];
    for (const [l, t] of Object.entries(k.templates)) {
      const bad = undeclared(`${t.subject}\n${t.body}`, declared);
      if (bad.length)
        throw new Error(`notice kind ${k.kind} (${l}) uses undeclared variables: ${bad.join(', ')}`);
    }
    kinds.set(k.kind, k);
  }
  function registerChannel(c: NoticeChannel) {
    channels.set(c.channel, c);
  }
  const kindOf = (kind: string) => {
    const k = kinds.get(kind);
    if (!k) throw new AppError('validation_failed', `Unknown notice kind ${kind}`);
    return k;
  };
  const declaredOf = (k: NoticeKind) => [...k.variables, ...AUTOMATIC_VARIABLES];

  async function templateFor(workspaceId: number, k: NoticeKind, locale: string, fallback: string) {
    const own = await repo.templates(db, workspaceId, k.kind);
    for (const l of [locale, base(locale), fallback, base(fallback), 'en']) {
      const w = own.find((t) => t.locale === l);
      if (w) return { locale: l, subject: w.subject, body: w.body };
      const b = k.templates[l];
      if (b) return { locale: l, ...b };
    }
    return { locale: 'en', ...k.templates.en! };
  }

  /** The first usable channel: the conversation's own, then e-mail; consent (the intake's) decides. */
  async function chooseChannel(workspaceId: number, contact: Contact, ticket: TicketSummary) {
    const order = [...new Set([ticket.channel, 'email', ...channels.keys()])];
    for (const name of order) {
      const ch = channels.get(name);
      if (!ch) continue;
      const address = ch.address({ contact, ticket });
      if (!address) continue;
      const consent = await o.consent(workspaceId, name, address);
      if (consent === 'opted-out') continue;
      // Answering in the conversation the customer opened is consent enough; elsewhere ask first.
      if (ch.explicitConsent && consent !== 'opted-in' && name !== ticket.channel) continue;
      if (ch.reachable && !(await ch.reachable({ contact, ticket }))) continue;
      return name;
    }
    return null;
  }

  /** Everything but the write: the rendered message and what would happen to it now. */
  async function plan(req: NoticeRequest, at: Date) {
    const k = kindOf(req.kind);
    if (!req.dedupeKey || req.dedupeKey.length > 200)
      throw new AppError('validation_failed', 'A notice needs a dedupe key (at most 200 characters)');
    const ticket = await o.tickets.findSummary(req.workspaceId, req.ticketId);
    if (!ticket) throw notFound('Ticket');
    const s = await repo.settings(db, req.workspaceId);
    const contact = ticket.contact ? await o.contact(req.workspaceId, ticket.contact.id) : null;
    const tpl = await templateFor(req.workspaceId, k, req.locale ?? s.default_locale, s.default_locale);
    const optionsUrl = contact
      ? await o.shopperLinks.url({
          purpose: 'notice-options',
          workspaceId: req.workspaceId,
          subject: { type: 'contact', id: contact.id },
          ttlDays: 365,
        })
      : '';
    const auto: NoticeValues = {
      'customer.name': contact?.name ?? '',
      'customer.first_name': (contact?.name ?? '').trim().split(/\s+/)[0] ?? '',
      'shop.name': await o.shopName(req.workspaceId),
      'ticket.id': ticket.id,
      'notice.options_url': optionsUrl,
    };
    const given = req.values ?? {};
    // Unknown or missing variables refuse to send, whatever else would happen.
    let rendered: { subject: string; body: string };
    try {
      rendered = renderNotice(tpl, { ...auto, ...given }, declaredOf(k));
      const unknownGiven = Object.keys(given).filter((v) => !k.variables.includes(v));
      if (unknownGiven.length)
        throw new NoticeTemplateError(`unknown variables: ${unknownGiven.join(', ')}`, {
          unknown: unknownGiven,
          missing: [],
        });
    } catch (err) {
      if (err instanceof NoticeTemplateError)
        throw new AppError('validation_failed', `Notice ${k.kind} not sent: ${err.message}`, err.problems);
      throw err;
    }
    let body = rendered.body;
    if (k.optOut !== false && optionsUrl && !tpl.body.includes('notice.options_url'))
      body += `\n\n—\n${(FOOTER[base(tpl.locale)] ?? FOOTER.en!).replace('{url}', optionsUrl)}`;

    let status: NoticeStatus = 'sent';
    let reason: string | null = null;
    let channel: string | null = null;
    let sendAfter: Date | null = null;
    if (ticket.mergedIntoId) [status, reason] = ['skipped', 'ticket_merged'];
    else if (!contact) [status, reason] = ['skipped', 'no_contact'];
    else {
      const outs = await repo.optOuts(db, req.workspaceId, contact.id);
      channel = await chooseChannel(req.workspaceId, contact, ticket);
      if (k.optOut !== false && (outs.includes(k.kind) || outs.includes('*')))
        [status, reason] = ['skipped', 'opted_out'];
      else if (!channel) [status, reason] = ['skipped', 'no_channel'];
      else if (k.throttled !== false) {
        const since = new Date(at.getTime() - s.cap_hours * 3_600_000);
        if ((await repo.countRecent(db, req.workspaceId, contact.id, since)) >= s.cap_count)
          [status, reason] = ['skipped', 'capped'];
        else if (!req.ignoreQuietHours) {
          const cal = sendingCalendar(s);
          if (cal && !isOpen(cal, at)) {
            status = 'scheduled';
            sendAfter = nextOpen(cal, at);
          }
        }
      }
    }
    return { k, ticket, contact, locale: tpl.locale, ...rendered, body, status, reason, channel, sendAfter };
  }

  type Plan = Awaited<ReturnType<typeof plan>>;
  const outcome = (
    p: Pick<Plan, 'status' | 'reason' | 'channel' | 'locale' | 'subject' | 'body' | 'sendAfter'> & {
      kind: string;
      ticketId: number;
      contact: { id: number; name: string | null; email: string | null } | null;
    },
    extra: { id: number | null; dryRun: boolean; duplicate: boolean; messageId: number | null },
  ): NoticeOutcome => ({
    ...extra,
    status: p.status,
    reason: p.reason,
    kind: p.kind,
    ticketId: p.ticketId,
    contactId: p.contact?.id ?? null,
    contactName: p.contact?.name ?? null,
    contactEmail: p.contact?.email ?? null,
    channel: p.channel,
    locale: p.locale,
    subject: p.subject,
    body: p.body,
    sendAfter: p.sendAfter?.toISOString() ?? null,
  });
  const fromRow = (r: repo.NoticeRow, duplicate: boolean): NoticeOutcome => ({
    id: r.id,
    dryRun: false,
    duplicate,
    status: r.status,
    reason: r.reason,
    kind: r.kind,
    ticketId: r.ticket_id,
    contactId: r.contact_id,
    contactName: null,
    contactEmail: null,
    channel: r.channel,
    locale: r.locale,
    subject: r.subject,
    body: r.body,
    messageId: r.message_id,
    sendAfter: r.send_after?.toISOString() ?? null,
  });

  /** Queues the message on the ticket (timeline + deliver job) inside the caller's transaction. */
  async function queueMessage(tx: Db, r: repo.NoticeRow) {
    const events = await o.tickets.addSystemReply(
      tx,
      r.workspace_id,
      r.ticket_id,
      r.body,
      { kind: 'notice', name: r.kind, id: r.id },
      {
        channel: r.channel ?? undefined,
        subject: r.subject,
        meta: {
          notice: {
            id: r.id,
            kind: r.kind,
            about: r.subject_type ? { type: r.subject_type, id: r.subject_id } : null,
          },
        },
      },
    );
    const messageId = events.find((e) => e.name === 'message.created')?.messageId ?? null;
    await repo.markSent(tx, r.id, messageId ?? null);
    return { events, messageId: messageId ?? null };
  }

  const svc = {
    registerKind,
    registerChannel,
    kinds: () => [...kinds.values()],
    channels: () => [...channels.keys()],

    /**
     * Sends (or schedules past quiet hours, or records as skipped) one notice, at most once per dedupe
     * key: the notice row, the outbound message and its delivery job commit together.
     */
    async send(req: NoticeRequest): Promise<NoticeOutcome> {
      const existing = await repo.byDedupeKey(db, req.workspaceId, req.dedupeKey);
      if (existing) return fromRow(existing, true);
      const at = now();
      const p = await plan(req, at);
      const result = await db.tx(async (tx) => {
        if (p.contact) await repo.lockContact(tx, req.workspaceId, p.contact.id);
        const again = await repo.byDedupeKey(tx, req.workspaceId, req.dedupeKey);
        if (again) return { row: again, duplicate: true, events: [] as never[] };
        // The cap is counted again under the customer's lock: two notices at once cannot both pass it.
        let { status, reason } = p;
        if (status !== 'skipped' && p.contact && p.k.throttled !== false) {
          const s = await repo.settings(tx, req.workspaceId);
          const since = new Date(at.getTime() - s.cap_hours * 3_600_000);
          if ((await repo.countRecent(tx, req.workspaceId, p.contact.id, since)) >= s.cap_count)
            [status, reason] = ['skipped', 'capped'];
        }
        const row = await repo.insert(tx, {
          workspace_id: req.workspaceId,
          dedupe_key: req.dedupeKey,
          kind: req.kind,
          contact_id: p.contact?.id ?? null,
          ticket_id: p.ticket.id,
          subject_type: req.about?.type ?? null,
          subject_id: req.about?.id ?? null,
          channel: p.channel,
          locale: p.locale,
          status: status === 'sent' ? 'scheduled' : status,
          reason,
          subject: p.subject,
          body: p.body,
          send_after: status === 'scheduled' ? p.sendAfter : null,
          created_by: req.agentId ?? null,
        });
        if (!row)
          return {
            row: (await repo.byDedupeKey(tx, req.workspaceId, req.dedupeKey))!,
            duplicate: true,
            events: [],
          };
        if (status === 'sent') {
          const q = await queueMessage(tx, row);
          return {
            row: { ...row, status: 'sent' as const, message_id: q.messageId },
            duplicate: false,
            events: q.events,
          };
        }
        if (status === 'scheduled')
          await enqueue(
            tx,
            'notice-release',
            { workspaceId: req.workspaceId, noticeId: row.id },
            { workspaceId: req.workspaceId, runAt: p.sendAfter ?? at, uniqueKey: `notice-release:${row.id}` },
          );
        return { row, duplicate: false, events: [] };
      });
      if (result.events.length) await o.tickets.publishSystemEvents(result.events);
      return fromRow(result.row, result.duplicate);
    },

    /** What `send` would do now, writing nothing (dry run); a used dedupe key shows the first outcome. */
    async preview(req: NoticeRequest): Promise<NoticeOutcome> {
      const existing = await repo.byDedupeKey(db, req.workspaceId, req.dedupeKey);
      if (existing) return { ...fromRow(existing, true), dryRun: true };
      const p = await plan(req, now());
      return outcome(
        { ...p, kind: req.kind, ticketId: p.ticket.id, contact: p.contact },
        { id: null, dryRun: true, duplicate: false, messageId: null },
      );
    },

    /** Job: a notice held for quiet hours goes out now (unless the customer opted out meanwhile). */
    async release(workspaceId: number, noticeId: number) {
      const events = await db.tx(async (tx) => {
        const r = await repo.byId(tx, workspaceId, noticeId, true);
        if (r?.status !== 'scheduled') return [];
        const k = kinds.get(r.kind);
        const outs = r.contact_id ? await repo.optOuts(tx, workspaceId, r.contact_id) : [];
        if (k?.optOut !== false && (outs.includes(r.kind) || outs.includes('*'))) {
          await repo.markSkipped(tx, r.id, 'opted_out');
          return [];
        }
        return (await queueMessage(tx, r)).events;
      });
      if (events.length) await o.tickets.publishSystemEvents(events);
    },

    list: async (workspaceId: number, f: { ticketId?: number; contactId?: number; limit?: number }) =>
      (await repo.list(db, workspaceId, { ...f, limit: Math.min(f.limit ?? 50, 200) })).map((r) =>
        fromRow(r, false),
      ),
    stats: (workspaceId: number, since: Date) => repo.stats(db, workspaceId, since),

    settings: (workspaceId: number) => repo.settings(db, workspaceId),
    async updateSettings(workspaceId: number, patch: Partial<repo.SettingsRow>) {
      const next = { ...(await repo.settings(db, workspaceId)), ...patch };
      if (sendingCalendar(next)) {
        try {
          isOpen(sendingCalendar(next), new Date());
        } catch {
          throw new AppError('validation_failed', `Unknown time zone ${next.timezone}`);
        }
      }
      await repo.saveSettings(db, workspaceId, next);
      return next;
    },

    /** Each kind with its wording per language (the workspace's own where it has one). */
    async templates(workspaceId: number) {
      const own = await repo.templates(db, workspaceId);
      return [...kinds.values()].map((k) => ({
        kind: k.kind,
        description: k.description,
        variables: declaredOf(k),
        optOut: k.optOut !== false,
        templates: Object.fromEntries([
          ...Object.entries(k.templates).map(([l, t]) => [l, { ...t, custom: false }]),
          ...own
            .filter((t) => t.kind === k.kind)
            .map((t) => [t.locale, { subject: t.subject, body: t.body, custom: true }]),
        ]) as Record<string, { subject: string; body: string; custom: boolean }>,
      }));
    },
    async saveTemplate(
      workspaceId: number,
      t: { kind: string; locale: string; subject: string; body: string },
    ) {
      const k = kindOf(t.kind);
      const bad = undeclared(`${t.subject}\n${t.body}`, declaredOf(k));
      if (bad.length)
        throw new AppError('validation_failed', `Unknown variables: ${bad.join(', ')}`, {
          unknown: bad,
          missing: [],
        });
      await repo.saveTemplate(db, workspaceId, t);
    },
    removeTemplate: (workspaceId: number, kind: string, locale: string) =>
      repo.deleteTemplate(db, workspaceId, kind, locale),

    /** A customer's declined kinds ('*' = every declinable kind). */
    async preferences(workspaceId: number, contactId: number) {
      return { optedOut: await repo.optOuts(db, workspaceId, contactId) };
    },
    setOptOuts: (workspaceId: number, contactId: number, kindsOut: string[]) =>
      repo.setOptOuts(db, workspaceId, contactId, [...new Set(kindsOut)]),
  };
  return svc;
}

export type NoticesService = ReturnType<typeof createNoticesService>;
