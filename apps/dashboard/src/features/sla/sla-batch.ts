import { type SlaTicketStateT, slaApi } from './sla-api.ts';

/**
 * Every inbox row renders its own badge, but the rows' requests are collected for one tick and sent as
 * one `GET /api/v1/sla/tickets?ids=…` (at most 200 ids a call): one request per page, not per row.
 */
type Waiter = { resolve: (v: SlaTicketStateT | null) => void; reject: (e: unknown) => void };
let pending = new Map<number, Waiter[]>();
let timer: ReturnType<typeof setTimeout> | undefined;

async function flush() {
  timer = undefined;
  const batch = pending;
  pending = new Map();
  const ids = [...batch.keys()];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    try {
      const { items } = await slaApi.slaStates(chunk);
      const byId = new Map(items.map((x) => [x.id, x]));
      for (const id of chunk) for (const w of batch.get(id) ?? []) w.resolve(byId.get(id) ?? null);
    } catch (e) {
      for (const id of chunk) for (const w of batch.get(id) ?? []) w.reject(e);
    }
  }
}

export function loadSlaState(ticketId: number): Promise<SlaTicketStateT | null> {
  return new Promise((resolve, reject) => {
    const list = pending.get(ticketId) ?? [];
    list.push({ resolve, reject });
    pending.set(ticketId, list);
    if (!timer) timer = setTimeout(() => void flush(), 10);
  });
}

/** One shared one-second clock for every countdown on screen (not one interval per row). */
const listeners = new Set<() => void>();
let tick: ReturnType<typeof setInterval> | undefined;
let now = Date.now();
export function subscribeClock(fn: () => void) {
  listeners.add(fn);
  if (!tick) now = Date.now();
  tick ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 1000);
  return () => {
    listeners.delete(fn);
    if (!listeners.size && tick) {
      clearInterval(tick);
      tick = undefined;
    }
  };
}
export const clockNow = () => now;
