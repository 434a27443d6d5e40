import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MessageT, TicketDetailT } from '../../lib/api.ts';
import { ApiError } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { type ChatVisitorT, chatApi } from './chat-api.ts';
import './chat.css';

type Props = { message: MessageT; ticket: TicketDetailT };

const isAgentReply = (m: MessageT) => m.kind === 'outbound' && m.author.type === 'agent';

/**
 * "Seen" under the newest agent reply the chat visitor has read (the widget reports what the shopper
 * has seen; `chat.visitor_read` moves it live). Nothing on other channels or other messages.
 */
export default function SeenReceipt({ message, ticket }: Props) {
  if (ticket.channel !== 'chat' || !isAgentReply(message)) return null;
  return <Seen message={message} ticket={ticket} />;
}

function Seen({ message, ticket }: Props) {
  const qc = useQueryClient();
  // The same query as the visitor panel beside the ticket: one request for both.
  const key = ['chat', 'visitor', ticket.id];
  const q = useQuery({
    queryKey: key,
    queryFn: () => chatApi.visitor(ticket.id),
    refetchInterval: 30_000,
    retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2,
  });
  useRealtimeEvent((e) => {
    if (e.event !== 'chat.visitor_read' || e.ticketId !== ticket.id) return;
    const upTo = Number(e.data?.upTo);
    if (!Number.isFinite(upTo)) return;
    qc.setQueryData<ChatVisitorT>(key, (v) =>
      v ? { ...v, visitorReadUpTo: Math.max(v.visitorReadUpTo, upTo) } : v,
    );
    // A fetch already in flight (started by the reply's own events) would land after this with the
    // state from before the read and take "Seen" away again: replace it with one that sees the read.
    void qc.invalidateQueries({ queryKey: key });
  });
  const readUpTo = q.data?.visitorReadUpTo ?? 0;
  if (message.id > readUpTo) return null;
  // Only the newest read reply carries the mark, as in any messenger.
  const newer = ticket.messages.some((m) => isAgentReply(m) && m.id > message.id && m.id <= readUpTo);
  if (newer) return null;
  return (
    <p className="chat-seen" data-testid="chat-seen">
      Seen
    </p>
  );
}
