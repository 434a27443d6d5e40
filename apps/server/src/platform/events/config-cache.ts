import type { EventBus } from './bus.ts';

/**
 * A per-workspace copy of settings that change rarely but are read on every ticket event (SLA policies
 * and calendars, routing rules, automation triggers): each read would otherwise cost a round trip per
 * listener per message.
 *
 * The owning service calls `changed()` after every write; it drops the copy here and, through the bus's
 * signal (LISTEN/NOTIFY on PostgreSQL), on every other node. When the listen connection dropped and is
 * back, every copy is dropped (signals sent meanwhile were missed); the TTL bounds staleness otherwise.
 */
export interface ConfigCache<T> {
  get(workspaceId: number): Promise<T>;
  /** Drops this node's copy only: for work that must see the latest rows even if a signal was missed. */
  forget(workspaceId: number): void;
  /** After a committed write: drops the copy on every node. */
  changed(workspaceId: number): Promise<void>;
}

export function createConfigCache<T>(o: {
  bus: EventBus;
  /** The signal kind, unique per cache. */
  kind: string;
  load: (workspaceId: number) => Promise<T>;
  ttlMs?: number;
  /** Workspaces kept; the least recently read go first. */
  max?: number;
}): ConfigCache<T> {
  const ttl = o.ttlMs ?? 30_000;
  const max = o.max ?? 1000;
  // The promise is stored, not the value: concurrent misses share one load, and a `forget` during a
  // load drops it, so rows read before a write can never be stored after that write's signal.
  const entries = new Map<number, { value: Promise<T>; at: number }>();
  const forget = (workspaceId: number) => {
    entries.delete(workspaceId);
  };
  o.bus.onSignal(o.kind, (p) => {
    if (typeof p.workspaceId === 'number') forget(p.workspaceId);
  });
  // Signals sent while this node's LISTEN connection was down are lost: drop every copy.
  o.bus.onMissed(() => entries.clear());
  return {
    get(workspaceId) {
      const now = Date.now();
      const hit = entries.get(workspaceId);
      entries.delete(workspaceId);
      if (hit && now - hit.at < ttl) {
        entries.set(workspaceId, hit); // re-inserted: Map order is least recently read first
        return hit.value;
      }
      const entry = { value: (async () => o.load(workspaceId))(), at: now };
      entries.set(workspaceId, entry);
      // A failed load is not served to later readers.
      entry.value.catch(() => {
        if (entries.get(workspaceId) === entry) entries.delete(workspaceId);
      });
      while (entries.size > max) entries.delete(entries.keys().next().value as number);
      return entry.value;
    },
    forget,
    async changed(workspaceId) {
      forget(workspaceId);
      await o.bus.signal(o.kind, { workspaceId });
    },
  };
}
