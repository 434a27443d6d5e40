import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import type { ConnectionState, EventFrame, PresenceFrame, RealtimeClient } from './realtime.ts';

const Ctx = createContext<RealtimeClient | null>(null);

export const RealtimeProvider = ({ client, children }: { client: RealtimeClient; children: ReactNode }) => (
  <Ctx.Provider value={client}>{children}</Ctx.Provider>
);

export function useRealtime(): RealtimeClient {
  const c = useContext(Ctx);
  if (!c) throw new Error('useRealtime outside RealtimeProvider');
  return c;
}

/** Calls `fn` for every server event (the latest `fn`, without resubscribing on each render). */
export function useRealtimeEvent(fn: (e: EventFrame) => void) {
  const rt = useRealtime();
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => rt.onEvent((e) => ref.current(e)), [rt]);
}

export function useConnectionState(): ConnectionState {
  const rt = useRealtime();
  const [s, setS] = useState(rt.state);
  useEffect(() => rt.onState(setS), [rt]);
  return s;
}

/** Joins `ticket:<id>` and reports who else is viewing or typing there. */
export function useTicketRoom(ticketId: number | null) {
  const rt = useRealtime();
  const [others, setOthers] = useState<PresenceFrame['agents']>([]);
  useEffect(() => {
    if (!ticketId) return;
    setOthers(rt.lastPresenceOf(ticketId)?.agents ?? []);
    const unsub = rt.subscribe(`ticket:${ticketId}`);
    const off = rt.onPresence((p) => {
      if (p.ticketId === ticketId) setOthers(p.agents);
    });
    rt.presence(ticketId, 'viewing');
    // The server forgets presence after 30 s of silence, so a tab left open keeps announcing itself.
    const keepAlive = setInterval(() => rt.presence(ticketId, 'viewing'), 15_000);
    const reconnect = rt.onOpen(() => rt.presence(ticketId, 'viewing'));
    return () => {
      clearInterval(keepAlive);
      reconnect();
      off();
      rt.presence(ticketId, 'left');
      unsub();
    };
  }, [rt, ticketId]);
  return others;
}
