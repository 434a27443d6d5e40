import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/db.ts';

/** A domain event. Carries ids, not whole records, so it fits a NOTIFY payload. */
export interface DomainEvent {
  name: string;
  workspaceId: number;
  ticketId?: number;
  messageId?: number;
  actorAgentId?: number | null;
  data?: Record<string, unknown>;
}

type Listener = (e: DomainEvent) => void | Promise<void>;

export interface EventBus {
  readonly nodeId: string;
  /** Run local listeners (business reactions, once per event) and fan out to every node's realtime. */
  publish(e: DomainEvent): Promise<void>;
  /** Business reactions: run on the node that published. */
  on(name: string | '*', fn: Listener): void;
  /** Realtime fan-out: runs on every node, for local and remote events. */
  onBroadcast(fn: Listener): void;
  /** Ephemeral cross-node signal (presence) that is not a domain event. */
  signal(kind: string, payload: Record<string, unknown>): Promise<void>;
  onSignal(kind: string, fn: (payload: Record<string, unknown>) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const CHANNEL = 'shopdesk_events';

export function createEventBus(db: Db, log: Logger): EventBus {
  const nodeId = randomUUID();
  const listeners = new Map<string, Set<Listener>>();
  const broadcast = new Set<Listener>();
  const signals = new Map<string, Set<(p: Record<string, unknown>) => void>>();
  let unlisten: (() => Promise<void>) | undefined;
  const crossNode = db.kind === 'postgres';
  let notifyChain: Promise<void> = Promise.resolve();

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

  return {
    nodeId,
    async publish(e) {
      // Sockets hear the event first: business reactions (routing, SLA, bot, automations) may take
      // tens of milliseconds and publish their own follow-up events, which must not delay a chat line.
      deliverBroadcast(e);
      if (crossNode) {
        // Chained so other nodes see events in publish order, without the publisher waiting.
        const payload = JSON.stringify({ o: nodeId, e });
        notifyChain = notifyChain
          .then(() => db.notify(CHANNEL, payload))
          .catch((err) => log.warn({ err }, 'notify failed'));
      }
      for (const key of [e.name, '*']) {
        for (const fn of listeners.get(key) ?? []) {
          try {
            await fn(e);
          } catch (err) {
            log.error({ err, event: e.name }, 'event listener failed');
          }
        }
      }
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
      await notifyChain;
      await unlisten?.();
    },
  };
}
