import type { ChannelAdapter, ChannelRegistry } from '../../channels/channel-adapter.ts';
import {
  type ChannelAccount,
  type InboundChannel,
  type InboundItem,
  type InboundMessage,
  WebhookRejected,
  type WebhookRequest,
} from '../../channels/inbound.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { withoutTrailingSlashes } from '../../platform/http/outbound.ts';
import { randomToken } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { TicketsService } from '../tickets/index.ts';
import * as repo from './intake.repository.ts';
import type { AcceptedDelivery, HookRequest, IntakeEvent, IntakeSource } from './intake-source.ts';

/** Request headers kept with a delivery: what a provider signs or describes it with, never cookies. */
const keptHeaders = (h: WebhookRequest['headers']) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if ((k.startsWith('x-') || k === 'content-type' || k === 'user-agent') && v !== undefined)
      out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
};

/** Does what a channel's `event` item reports; a throw retries the job (`final`: the last attempt). */
export type EventHandler = (
  workspaceId: number,
  data: Record<string, unknown>,
  ctx: { final: boolean },
) => Promise<void>;

/** PUBLIC_URL (or the account's own public URL) joined with the path the provider called. */
export const publicUrlOf = (base: string, path: string) => withoutTrailingSlashes(base) + path;

/**
 * The one inbound pipeline (docs/channels.md): a registry of sources; every delivery is verified, stored
 * raw with its provider id (replays are no-ops), acknowledged after the commit, and processed by a job
 * that for channels normalises, threads into a ticket and emits `message.received`.
 */
export function createIntakeService(deps: Deps, tickets: TicketsService, channels: ChannelRegistry) {
  const { db, config, log } = deps;
  const keys = keyRing(config);
  const sources = new Map<string, IntakeSource>();
  const handlers = new Map<string, EventHandler>();

  const inboundOf = (channel: string) => {
    const a = channels.get(channel);
    return a?.inbound ? (a as ChannelAdapter & { inbound: InboundChannel }) : null;
  };

  const toAccount = (row: repo.AccountRow): ChannelAccount => ({
    id: row.id,
    workspaceId: row.workspace_id,
    channel: row.channel,
    name: row.name,
    address: row.address,
    settings: row.settings,
    secrets: row.secrets ? (JSON.parse(keys.decrypt(row.secrets)) as Record<string, string>) : {},
    webhooks: webhooksOf(row),
  });
  const webhooksOf = (r: repo.AccountRow) =>
    Object.fromEntries(
      (inboundOf(r.channel)?.inbound.hooks ?? []).map((k) => [
        k,
        publicUrlOf(r.public_url ?? config.publicUrl, `/api/v1/intake/${r.channel}/${r.hook_key}/${k}`),
      ]),
    );

  /** The source behind a channel with an inbound side: accounts, signatures, threading into tickets. */
  function channelSource(adapter: ChannelAdapter & { inbound: InboundChannel }): IntakeSource {
    const { channel, inbound } = adapter;
    const requestOf = (req: HookRequest, row: repo.AccountRow): WebhookRequest => ({
      kind: req.kind,
      url: row.public_url ? publicUrlOf(row.public_url, req.path) : req.url,
      headers: req.headers,
      body: req.body,
    });
    // The account `accept` found, for `respond` on the same request (no second read per webhook).
    const accountOf = new WeakMap<AcceptedDelivery, ChannelAccount>();
    return {
      name: channel,
      async accept(req) {
        const row = await repo.findAccountByKey(db, channel, req.key);
        if (!row?.active) throw new WebhookRejected(404, `No active ${channel} account at this address`);
        const wr = requestOf(req, row);
        const account = toAccount(row);
        const d = inbound.verify(wr, account);
        if (!d) return null;
        const accepted = {
          workspaceId: row.workspace_id,
          providerId: d.providerId,
          headers: { accountId: row.id, kind: req.kind, url: wr.url, request: keptHeaders(req.headers) },
        };
        accountOf.set(accepted, account);
        return accepted;
      },
      async respond(req, accepted) {
        const account = accountOf.get(accepted);
        if (!inbound.respond || !account) return undefined;
        return inbound.respond({ ...req, url: String(accepted.headers?.url ?? req.url) }, account);
      },
      async process(ev, { final }) {
        const row = await repo.findAccount(db, ev.workspaceId, Number(ev.headers.accountId));
        if (!row) return; // the account was removed: nothing to land the delivery in
        const account = toAccount(row);
        let items: InboundItem[];
        try {
          items = await inbound.read(
            {
              id: ev.id,
              kind: String(ev.headers.kind ?? ''),
              url: String(ev.headers.url ?? ''),
              headers: (ev.headers.request ?? {}) as Record<string, string>,
              body: ev.payload,
              receivedAt: ev.receivedAt,
            },
            account,
          );
        } catch (err) {
          if (final)
            await repo.reportAccount(db, row.id, `Delivery ${ev.id}: ${(err as Error).message}`, false);
          throw err;
        }
        for (const item of items) {
          if (item.type === 'message') await land(account, ev.id, item.message);
          else if (item.type === 'note') {
            const thread = await repo.findThread(db, account.id, item.threadKey);
            // The note can overtake the message it belongs to (a transcript before its voicemail).
            if (!thread) {
              if (final || item.skipWithoutThread) continue;
              throw new Error(`No conversation ${item.threadKey} yet`);
            }
            const target = await tickets.threadTarget(ev.workspaceId, thread.ticket_id);
            if (!target) continue;
            const events = await db.tx((tx) =>
              tickets.addSystemNote(tx, ev.workspaceId, target.id, item.text, {
                kind: 'channel',
                name: item.author,
              }),
            );
            await tickets.publishSystemEvents(events);
          } else if (item.type === 'receipt') {
            const known = await tickets.recordDeliveryReceipt(
              ev.workspaceId,
              item.externalId,
              item.status,
              item.error ?? null,
            );
            // The callback can overtake the send's own answer (the id is stored when the API call returns).
            if (!known && !final) throw new Error(`No sent message with id ${item.externalId} yet`);
          } else if (item.type === 'event') {
            await handlers.get(item.name)?.(ev.workspaceId, item.data, { final });
          }
        }
        await repo.reportAccount(
          db,
          row.id,
          null,
          items.some((i) => i.type === 'message'),
        );
      },
    };
  }

  /**
   * Landings per conversation run one at a time in this process: two messages from a new sender processed
   * by parallel jobs would otherwise both find no thread and open two tickets.
   */
  const landing = new Map<string, Promise<void>>();
  async function land(account: ChannelAccount, eventId: number, m: InboundMessage) {
    const key = `${account.id}:${m.threadKey}`;
    const run = (landing.get(key) ?? Promise.resolve()).then(() => landNow(account, eventId, m));
    const tail = run.catch(() => {});
    landing.set(key, tail);
    try {
      await run;
    } finally {
      if (landing.get(key) === tail) landing.delete(key);
    }
  }

  /** A customer's message into the sender's open conversation on this account (a new ticket otherwise). */
  async function landNow(account: ChannelAccount, eventId: number, m: InboundMessage) {
    const ws = account.workspaceId;
    if (m.consent && m.from.phone)
      await repo.upsertConsent(db, {
        workspaceId: ws,
        channel: account.channel,
        address: m.from.phone,
        state: m.consent.state,
        keyword: m.consent.keyword,
        eventId,
      });
    const thread = await repo.findThread(db, account.id, m.threadKey);
    const target = thread ? await tickets.threadTarget(ws, thread.ticket_id) : null;
    const open = target && target.status !== 'closed' ? target.id : null;
    await tickets.receive(ws, {
      channel: m.channel ?? account.channel,
      tags: m.tags,
      contact: {
        phone: m.from.phone ?? null,
        email: m.from.email ?? null,
        name: m.from.name ?? null,
        identities: m.from.identity ? [m.from.identity] : undefined,
      },
      subject: m.subject,
      bodyText: m.bodyText,
      attachments: m.attachments,
      externalId: m.externalId,
      dedupe: true,
      receivedAt: m.receivedAt,
      channelMeta: {
        ...m.meta,
        accountId: account.id,
        ...(m.consent ? { consent: m.consent.state } : {}),
      },
      ticketId: open,
      followUpOf: open ? null : (target?.id ?? null),
      inTransaction: async (tx: Db, r) => {
        if (!r.duplicate) await repo.upsertThread(tx, ws, account.id, m.threadKey, r.ticketId);
      },
    });
  }

  const sourceOf = (name: string) => {
    const s = sources.get(name);
    if (s) return s;
    const a = inboundOf(name);
    if (!a) return null;
    const built = channelSource(a);
    sources.set(name, built);
    return built;
  };

  /** Stores one delivery and its job in one statement; the caller acknowledges after this returns. */
  async function store(source: string, d: AcceptedDelivery, payload: Buffer) {
    const id = await repo.insertEvent(db, {
      workspaceId: d.workspaceId,
      channel: source,
      providerId: d.providerId,
      headers: d.headers ?? {},
      payload,
    });
    if (id) deps.jobs.wake();
    return { eventId: id, duplicate: id === null };
  }

  return {
    /** Adds a source that is not a channel (carrier tracking, listening); channels register themselves. */
    register(source: IntakeSource) {
      if (sources.has(source.name)) throw new Error(`intake source ${source.name} registered twice`);
      sources.set(source.name, source);
    },
    /** Who handles a channel's `event` items by this name (modules/callbacks: `call.status`). */
    handle(name: string, fn: EventHandler) {
      if (handlers.has(name)) throw new Error(`intake event ${name} handled twice`);
      handlers.set(name, fn);
    },
    /** Whether a source by this name exists (a channel with an inbound side, or a registered source). */
    has: (name: string) => !!sourceOf(name),
    store,

    /** The webhook path: accept → store → the 2xx body. Nothing is stored for a refused request. */
    async receiveWebhook(name: string, req: HookRequest) {
      const source = sourceOf(name);
      if (!source) throw notFound('Intake source');
      let accepted: AcceptedDelivery | null;
      try {
        accepted = await source.accept(req);
      } catch (err) {
        if (err instanceof WebhookRejected) {
          const code = (
            { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' } as const
          )[err.status];
          throw new AppError(code, err.message);
        }
        throw err;
      }
      if (!accepted) return { json: { accepted: false, duplicate: false } };
      const r = await store(name, accepted, req.body);
      const custom = source.respond ? await source.respond(req, accepted) : undefined;
      return custom ? { custom } : { json: { accepted: true, duplicate: r.duplicate } };
    },

    /**
     * A provider's GET subscription check on a channel webhook (Meta's hub.challenge): answered by the
     * channel from the account's secrets; nothing is stored.
     */
    async handshake(channel: string, key: string, kind: string, query: URLSearchParams) {
      const a = inboundOf(channel);
      if (!a?.inbound.handshake) throw notFound('Webhook');
      const row = await repo.findAccountByKey(db, channel, key);
      if (!row?.active || !a.inbound.hooks.includes(kind)) throw notFound(`Active ${channel} account`);
      try {
        return a.inbound.handshake(kind, query, toAccount(row));
      } catch (err) {
        if (err instanceof WebhookRejected)
          throw new AppError(err.status === 400 ? 'bad_request' : 'forbidden', err.message);
        throw err;
      }
    },

    /** Job: one stored delivery through its source; marked processed only when that succeeded. */
    async processEvent(eventId: number, final: boolean) {
      const row = await repo.findEvent(db, eventId);
      if (!row || row.processed_at) return;
      const name = row.channel.split(':')[0]!;
      const source = sourceOf(name);
      if (!source) {
        // A source that is no longer installed: keep the row, say why, stop retrying.
        await repo.markEvent(db, eventId, `No intake source named ${name}`);
        return;
      }
      const event: IntakeEvent = {
        id: row.id,
        workspaceId: row.workspace_id,
        source: row.channel,
        providerId: row.provider_id,
        headers: row.headers,
        payload: Buffer.from(row.payload),
        receivedAt: row.received_at,
      };
      try {
        await source.process(event, { final });
        await repo.markEvent(db, eventId, null);
      } catch (err) {
        await repo.markEvent(db, eventId, (err as Error).message || String(err));
        if (final) log.warn({ eventId, source: name, err }, 'inbound delivery failed for good');
        throw err;
      }
    },

    // Accounts (admin settings)

    channelsWithInbound: () =>
      channels
        .all()
        .filter((a) => a.inbound)
        .map((a) => a.channel),

    async listAccounts(workspaceId: number, channel: string) {
      requireInbound(channel);
      const rows = await repo.listAccounts(db, workspaceId, channel);
      return Promise.all(rows.map((r) => view(r)));
    },

    async createAccount(
      workspaceId: number,
      channel: string,
      input: {
        name: string;
        settings: unknown;
        secrets: Record<string, string>;
        publicUrl?: string | null;
        active?: boolean;
      },
    ) {
      const inbound = requireInbound(channel);
      const settings = parseOr400(inbound.settings, input.settings, 'settings') as Record<string, unknown>;
      const secrets = parseOr400(inbound.secrets, input.secrets, 'secrets');
      const row = await repo.insertAccount(db, {
        workspaceId,
        channel,
        name: input.name,
        hookKey: randomToken(18),
        address: inbound.addressOf(settings),
        settings,
        secrets: keys.encrypt(JSON.stringify(secrets)),
        publicUrl: input.publicUrl ?? null,
        active: input.active ?? true,
      });
      return view(row!);
    },

    async updateAccount(
      workspaceId: number,
      channel: string,
      id: number,
      input: {
        name?: string;
        settings?: unknown;
        secrets?: Record<string, string>;
        publicUrl?: string | null;
        active?: boolean;
      },
    ) {
      const inbound = requireInbound(channel);
      const row = await repo.findAccount(db, workspaceId, id);
      if (row?.channel !== channel) throw notFound('Account');
      const settings = (
        input.settings === undefined ? row.settings : parseOr400(inbound.settings, input.settings, 'settings')
      ) as Record<string, unknown>;
      // Secret fields left out keep their stored value (they are never sent back to the browser).
      const secrets = input.secrets
        ? parseOr400(inbound.secrets, { ...toAccount(row).secrets, ...input.secrets }, 'secrets')
        : null;
      const updated = await repo.updateAccount(db, workspaceId, id, {
        name: input.name ?? row.name,
        address: inbound.addressOf(settings),
        settings,
        secrets: secrets ? keys.encrypt(JSON.stringify(secrets)) : row.secrets,
        publicUrl: input.publicUrl === undefined ? row.public_url : input.publicUrl,
        active: input.active ?? row.active,
      });
      return view(updated!);
    },

    async deleteAccount(workspaceId: number, channel: string, id: number) {
      const row = await repo.findAccount(db, workspaceId, id);
      if (row?.channel !== channel) throw notFound('Account');
      await repo.deleteAccount(db, workspaceId, id);
    },

    // Ports for channel adapters (wired in app.ts)

    /** The decrypted account a reply goes out through (the one the customer wrote to, else the first). */
    async accountForSending(workspaceId: number, channel: string, accountId: number | null) {
      const row = await repo.accountForSending(db, workspaceId, channel, accountId);
      return row ? toAccount(row) : null;
    },
    /** Whether the address told us to stop (SMS STOP): adapters refuse to send to it. */
    async optedOut(workspaceId: number, channel: string, address: string) {
      return (await repo.findConsent(db, workspaceId, channel, address))?.state === 'opted-out';
    },
    consent: (workspaceId: number, channel: string, address: string) =>
      repo.findConsent(db, workspaceId, channel, address),
  };

  function requireInbound(channel: string) {
    const a = inboundOf(channel);
    if (!a) throw notFound(`Channel ${channel}`);
    return a.inbound;
  }

  async function view(r: repo.AccountRow) {
    const stats = await repo.eventStats(db, r.workspace_id, r.channel, r.id);
    return {
      id: r.id,
      channel: r.channel,
      name: r.name,
      address: r.address,
      settings: r.settings,
      // Which secret fields are set, never their values.
      secretsSet: r.secrets ? Object.keys(toAccount(r).secrets).sort() : [],
      publicUrl: r.public_url,
      active: r.active,
      webhooks: webhooksOf(r),
      pendingDeliveries: stats?.pending ?? 0,
      failingDeliveries: stats?.failed ?? 0,
      lastInboundAt: r.last_inbound_at?.toISOString() ?? null,
      lastError: r.last_error,
      lastErrorAt: r.last_error_at?.toISOString() ?? null,
      createdAt: r.created_at.toISOString(),
    };
  }
}

function parseOr400<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  v: unknown,
  where: string,
): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new AppError(
    'validation_failed',
    `Invalid ${where}: ${i?.path.join('.') ?? ''} ${i?.message ?? ''}`.trim(),
    r.error.issues.map((x) => ({
      path: ['body', where, ...x.path.map(String)].join('.'),
      message: x.message,
    })),
  );
}

export type IntakeService = ReturnType<typeof createIntakeService>;
