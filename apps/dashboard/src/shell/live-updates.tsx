import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useRealtime, useRealtimeEvent } from '../lib/realtime-hooks.tsx';
import { useMe } from '../lib/session.tsx';

/**
 * Turns server events into cache invalidation: lists and counts refetch (batched, so a bulk change of
 * 500 tickets is one refetch), and an open ticket refetches when its own events arrive.
 */
export function LiveUpdates() {
  const qc = useQueryClient();
  const rt = useRealtime();
  const me = useMe();
  const pending = useRef<{ lists: boolean; tickets: Set<number>; timer?: ReturnType<typeof setTimeout> }>({
    lists: false,
    tickets: new Set(),
  });

  const flush = () => {
    const p = pending.current;
    p.timer = undefined;
    if (p.lists) {
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      void qc.invalidateQueries({ queryKey: ['inbox-counts'] });
      void qc.invalidateQueries({ queryKey: ['views'] });
    }
    for (const id of p.tickets) void qc.invalidateQueries({ queryKey: ['ticket', id] });
    p.lists = false;
    p.tickets.clear();
  };

  useRealtimeEvent((e) => {
    const p = pending.current;
    if (e.event.startsWith('ticket.') || e.event.startsWith('message.')) p.lists = true;
    // A chat visitor's typing, reading and browsing leave the ticket as it was: no refetch per keystroke.
    if (e.ticketId && !e.event.startsWith('chat.visitor_')) p.tickets.add(e.ticketId);
    if (e.event === 'agent.mentioned' || e.event.startsWith('notification.')) {
      void qc.invalidateQueries({ queryKey: ['notifications'] });
      notifyBrowser(e.data, me.agent.id);
    }
    p.timer ??= setTimeout(flush, 250);
  });

  useEffect(() => rt.onReconnect(() => void qc.invalidateQueries()), [rt, qc]);
  return null;
}

function notifyBrowser(data: Record<string, unknown> | undefined, myId: number) {
  const target = data?.agentId ?? data?.mentionedAgentId;
  if (target !== undefined && Number(target) !== myId) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || !document.hidden)
    return;
  new Notification('Shopdesk', { body: String(data?.summary ?? 'You were mentioned on a ticket') });
}
