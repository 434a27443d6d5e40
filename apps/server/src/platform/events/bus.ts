import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Db, type SQL, sql } from '../db/db.ts';

/** A domain event. Carries ids, not whole records, so it fits a NOTIFY payload. */
export interface DomainEvent {
  name: string;
  workspaceId: number;
  ticketId?: number;
  messageId?: number;
  actorAgentId?: number | null;
  data?: Record<string, unknown>;
  /** Set by `stage`: the outbox row that is deleted once this node's listeners ran. */
  outboxId?: number;
}

type Listener = (e: DomainEvent) => void | Promise<void>;

export interface EventBus {
  readonly nodeId: string;
  /**
   * Writes events to the outbox inside the caller's transaction and returns them tagged, to be
   * published after commit. A crash in between no longer loses their reactions: they are replayed.
   */
  stage(tx: Db, events: DomainEvent[]): Promise<DomainEvent[]>;
  /**
   * `stage` as a data-modifying statement for a repository's own statement (a change and its events in
   * one round trip): `rows` selects `(e jsonb, n int)`, the events and their order; it returns the ids.
   */
  stageSql(rows: SQL): SQL;
  /** Run local listeners (business reactions, once per event) and fan out to every node's realtime. */
  publish(e: DomainEvent): Promise<void>;
  /**
   * The events of one change, in order: every node's sockets hear all of them (one NOTIFY) before the
   * local listeners run for each in turn.
   */
  publishMany(events: DomainEvent[]): Promise<void>;
  /**
   * `publishMany` for a request that answers before the reactions run: sockets hear the events now,
   * the local listeners run after, from a queue drained a few changes at a time (their outbox rows stay
   * until they ran, so a crash replays them). With `deferReactions` off, or a long queue (the reactions
   * fall behind), it waits for the listeners like `publishMany` — backpressure on the producers.
   */
  publishAfterResponse(events: DomainEvent[]): Promise<void>;
  /** Resolves when no deferred reactions are queued or running (tests, shutdown). */
  reactionsSettled(): Promise<void>;
  /**
   * Replays outbox rows whose node died before publishing them: at start, then every `everyMs`.
   * Rows count as orphaned once older than `orphanAfterMs`; at start every row does when this
   * process is the database's only user (`soleUser`, the embedded database).
   */
  startRecovery(o: { orphanAfterMs: number; everyMs: number; soleUser: boolean }): void;
  /** Replays orphaned rows now; returns how many ran. */
  recover(orphanAfterMs: number): Promise<number>;
  /** Business reactions: run on the node that published. */
  on(name: string | '*', fn: Listener): void;
  /** Realtime fan-out: runs on every node, for local and remote events. */
  onBroadcast(fn: Listener): void;
  /** Ephemeral cross-node signal (presence) that is not a domain event. */
  signal(kind: string, payload: Record<string, unknown>): Promise<void>;
  onSignal(kind: string, fn: (payload: Record<string, unknown>) => void): void;
  /**
   * Runs fn when this node may have missed other nodes' events and signals (its LISTEN connection
   * dropped and is back): whatever was kept up to date by them must be refreshed.
   */
  onMissed(fn: () => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const CHANNEL = 'shopdesk_events';

/**
 * For /metrics: events written with a change whose listeners have not finished yet (the outbox), and
 * the age of the oldest (a node dead before publishing shows here until a worker replays it).
 */
export const outboxStats = async (db: Db) =>
  (await db.one<{ pending: number; oldest_seconds: number }>(sql`
    SELECT (SELECT count(*)::int FROM event_outbox) AS pending,
      coalesce((SELECT extract(epoch FROM now() - created_at)::float8 FROM event_outbox ORDER BY id LIMIT 1), 0) AS oldest_seconds`))!;

/** Changes whose reactions run at once, and how many may wait before producers wait with them. */
const REACTION_LANES = 4;
const REACTION_QUEUE_MAX = 1000;

export function createEventBus(db: Db, log: Logger, o: { deferReactions?: boolean } = {}): EventBus {
  const nodeId = randomUUID();
  const listeners = new Map<string, Set<Listener>>();
  const broadcast = new Set<Listener>();
  const signals = new Map<string, Set<(p: Record<string, unknown>) => void>>();
  let unlisten: (() => Promise<void>) | undefined;
  const crossNode = db.kind === 'postgres';
  let notifyChain: Promise<void> = Promise.resolve();
  // Events published while a NOTIFY is in flight go out together in the next one statement, in order,
  // so other nodes see publish order and a burst costs one round trip instead of one per event.
  let notifyQueue: string[] = [];
  let notifySeq = 0;
  const queueNotify = (payload: string) => {
    notifyQueue.push(payload);
    if (notifyQueue.length > 1) return;
    notifyChain = notifyChain
      .then(() => {
        const batch = notifyQueue;
        notifyQueue = [];
        return db.notifyMany(CHANNEL, batch);
      })
      .catch((err) => log.warn({ err }, 'notify failed'));
  };

  const deliverBroadcast = (e: DomainEvent) => {
    for (const fn of broadcast) {
      try {
        void fn(e);
      } catch (err) {
        log.error({ err, event: e.name }, 'broadcast listener failed');
      }
    }
  };
  const deliverSignal = (kind: string, p: Record<string, unknown>) => {
    for (const fn of signals.get(kind) ?? []) fn(p);
  };
  const runListeners = async (e: DomainEvent) => {
    for (const key of [e.name, '*']) {
      for (const fn of listeners.get(key) ?? []) {
        try {
          await fn(e);
        } catch (err) {
          log.error({ err, event: e.name }, 'event listener failed');
        }
      }
    }
  };

  // Outbox rows whose listeners ran are deleted in batches, off the request path.
  let done: number[] = [];
  // Rows whose listeners ran (in `done` or being deleted): a recovery must not replay them meanwhile.
  const finished = new Set<number>();
  let flushing: Promise<void> = Promise.resolve();
  const flushDone = () => {
    if (!done.length) return flushing;
    const ids = done;
    done = [];
    flushing = flushing
      .then(() => db.query(sql`DELETE FROM event_outbox WHERE id = ANY(${ids})`))
      .then(
        () => undefined,
        (err) => log.warn({ err }, 'outbox cleanup failed'),
      )
      .finally(() => {
        for (const id of ids) finished.delete(id);
      });
    return flushing;
  };
  const flushTimer = setInterval(() => void flushDone(), 200);
  flushTimer.unref();
  const inflight = new Set<number>();
  // Deferred reactions: groups (the events of one change, in order), run REACTION_LANES at a time.
  const reactionQueue: DomainEvent[][] = [];
  let reactionsRunning = 0;
  let settledWaiters: (() => void)[] = [];
  const announce = (events: DomainEvent[]) => {
    // Sockets hear the events first: business reactions (routing, SLA, bot, automations) may take
    // tens of milliseconds and publish their own follow-up events, which must not delay a chat line.
    for (const e of events) {
      deliverBroadcast(e);
      if (crossNode) {
        const { outboxId: _, ...wire } = e;
        // `q` keeps two equal events apart: PostgreSQL folds identical payloads sent in one statement.
        queueNotify(JSON.stringify({ o: nodeId, q: ++notifySeq, e: wire }));
      }
      if (e.outboxId) inflight.add(e.outboxId);
    }
  };
  const react = async (events: DomainEvent[]) => {
    for (const e of events) {
      try {
        await runListeners(e);
      } finally {
        if (e.outboxId) {
          inflight.delete(e.outboxId);
          done.push(e.outboxId);
          finished.add(e.outboxId);
        }
      }
    }
  };
  const pumpReactions = () => {
    while (reactionsRunning < REACTION_LANES && reactionQueue.length) {
      const group = reactionQueue.shift()!;
      reactionsRunning++;
      void react(group).finally(() => {
        reactionsRunning--;
        pumpReactions();
      });
    }
    if (!reactionsRunning && !reactionQueue.length) {
      const waiters = settledWaiters;
      settledWaiters = [];
      for (const w of waiters) w();
    }
  };
  let recoveryTimer: NodeJS.Timeout | undefined;
  let recovering: Promise<number> | undefined;

  const bus: EventBus = {
    nodeId,
    async publish(e) {
      await bus.publishMany([e]);
    },
    async publishMany(events) {
      announce(events);
      await react(events);
    },
    async publishAfterResponse(events) {
      if (!o.deferReactions || reactionQueue.length >= REACTION_QUEUE_MAX) return bus.publishMany(events);
      announce(events);
      reactionQueue.push(events);
      pumpReactions();
    },
    reactionsSettled() {
      if (!reactionsRunning && !reactionQueue.length) return Promise.resolve();
      return new Promise((resolve) => settledWaiters.push(resolve));
    },
    async stage(tx, events) {
      if (!events.length) return events;
      const rows = await tx.query<{ id: number }>(sql`
        INSERT INTO event_outbox (event, node_id)
        SELECT e, ${nodeId} FROM unnest(${events.map((e) => JSON.stringify(e))}::jsonb[]) WITH ORDINALITY AS x(e, n)
        ORDER BY n
        RETURNING id`);
      // Identity values are drawn in the ORDER BY order, so ascending ids line up with `events`.
      const ids = rows.map((r) => r.id).sort((a, b) => a - b);
      return events.map((e, i) => ({ ...e, outboxId: ids[i] }));
    },
    stageSql(rows) {
      return sql`INSERT INTO event_outbox (event, node_id) SELECT x.e, ${nodeId} FROM (${rows}) AS x(e, n) ORDER BY x.n RETURNING id`;
    },
    recover(orphanAfterMs) {
      // One replay at a time per node; other nodes skip the rows this one holds.
      recovering ??= (async () => {
        let ran = 0;
        try {
          for (;;) {
            // Rows this node is still publishing (slow listeners, a long reaction queue), or has finished and
            // not yet deleted, are not orphans:
            // claiming them again at once made a start with no orphan age (embedded database) spin on
            // them while a backlog was processed, starving every other query on the one connection.
            const publishing = [...inflight, ...finished];
            const rows = await db.query<{ id: number; event: DomainEvent; attempts: number }>(sql`
              UPDATE event_outbox SET claimed_at = now(), attempts = attempts + 1
              WHERE id IN (
                SELECT id FROM event_outbox
                WHERE coalesce(claimed_at, created_at) <= now() - make_interval(secs => ${orphanAfterMs / 1000})
                  AND NOT (id = ANY(${publishing}::bigint[]))
                ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED)
              RETURNING id, event, attempts`);
            if (!rows.length) return ran;
            rows.sort((a, b) => a.id - b.id);
            let handled = 0;
            for (const r of rows) {
              // Became one of this node's own publications after the claim: not an orphan.
              if (inflight.has(r.id) || finished.has(r.id)) continue;
              handled++;
              // A row that keeps failing to finish (the node dies in its listeners) is given up on.
              if (r.attempts > 5) log.error({ event: r.event }, 'outbox event dropped after 5 replays');
              else {
                log.warn(
                  { event: r.event.name, ticketId: r.event.ticketId },
                  'replaying an unpublished event',
                );
                deliverBroadcast(r.event);
                await runListeners(r.event);
                ran++;
              }
              done.push(r.id);
              finished.add(r.id);
            }
            await flushDone();
            // Everything claimed is being published here: the next pass would find the same rows.
            if (!handled) return ran;
          }
        } finally {
          recovering = undefined;
        }
      })();
      return recovering;
    },
    startRecovery(o) {
      const tick = (after: number) =>
        void bus.recover(after).catch((err) => log.warn({ err }, 'outbox recovery failed'));
      tick(o.soleUser ? 0 : o.orphanAfterMs);
      recoveryTimer = setInterval(() => tick(o.orphanAfterMs), o.everyMs);
      recoveryTimer.unref();
    },
    on(name, fn) {
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(fn);
    },
    onBroadcast(fn) {
      broadcast.add(fn);
    },
    async signal(kind, payload) {
      deliverSignal(kind, payload);
      if (crossNode)
        await db.notify(CHANNEL, JSON.stringify({ o: nodeId, s: kind, p: payload })).catch(() => {});
    },
    onSignal(kind, fn) {
      let set = signals.get(kind);
      if (!set) {
        set = new Set();
        signals.set(kind, set);
      }
      set.add(fn);
    },
    onMissed(fn) {
      db.onListenResumed(fn);
    },
    async start() {
      if (!crossNode) return;
      unlisten = await db.listen(CHANNEL, (raw) => {
        try {
          const msg = JSON.parse(raw) as {
            o: string;
            e?: DomainEvent;
            s?: string;
            p?: Record<string, unknown>;
          };
          if (msg.o === nodeId) return;
          if (msg.e) deliverBroadcast(msg.e);
          else if (msg.s && msg.p) deliverSignal(msg.s, msg.p);
        } catch (err) {
          log.warn({ err }, 'bad event payload');
        }
      });
    },
    async stop() {
      await bus.reactionsSettled();
      clearInterval(flushTimer);
      clearInterval(recoveryTimer);
      await recovering?.catch(() => 0);
      await flushDone();
      await notifyChain;
      await unlisten?.();
    },
  };
  return bus;
}
