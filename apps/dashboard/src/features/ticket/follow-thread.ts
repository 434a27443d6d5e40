import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MessageT } from '../../lib/api.ts';

/** How close to the end (px) still counts as "at the newest message". */
const NEAR_BOTTOM = 48;

/**
 * Keeps a ticket's thread at its newest message while the agent is there, and tracks which messages
 * the agent has seen (for the composer's "new messages since you opened" warning).
 *
 * - The thread opens at the bottom. While the agent stays at the bottom, growth (a new chat line, the
 *   note just sent, an email frame that finished loading) keeps the newest message in view; once the
 *   agent scrolls up, nothing moves and a "new messages" count shows instead.
 * - A message counts as seen when it is on screen at the bottom as it arrives — the normal flow of a
 *   live chat the agent is watching — except a teammate's reply that arrives while the agent is
 *   writing: that is the double answer the warning exists for. Scrolling back down to the newest
 *   message counts everything as seen.
 */
export function useFollowThread({
  ticketId,
  messages,
  myAgentId,
  isComposing,
}: {
  ticketId: number;
  messages: MessageT[] | undefined;
  myAgentId: number;
  isComposing: () => boolean;
}) {
  const scroller = useRef<HTMLDivElement | null>(null);
  const following = useRef(true);
  const [unread, setUnread] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new set per ticket id
  const seen = useMemo(() => new Set<number>(), [ticketId]);
  const latest = useRef(messages);
  latest.current = messages;

  const toBottom = useCallback(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);

  const countUnread = useCallback(() => {
    const n = (latest.current ?? []).filter(
      (m) => !seen.has(m.id) && !(m.author.type === 'agent' && m.author.id === myAgentId),
    ).length;
    setUnread(n);
  }, [seen, myAgentId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reset per ticket id
  useLayoutEffect(() => {
    following.current = true;
    setUnread(0);
  }, [ticketId]);

  // New messages: the first load is what the agent opened; later ones follow the rules above.
  useLayoutEffect(() => {
    if (!messages) return;
    if (seen.size === 0) {
      for (const m of messages) seen.add(m.id);
    } else if (following.current) {
      const composing = isComposing();
      for (const m of messages) {
        if (seen.has(m.id)) continue;
        const teammate = m.author.type === 'agent' && m.author.id !== myAgentId;
        if (!teammate || !composing) seen.add(m.id);
      }
    }
    if (following.current) toBottom();
    countUnread();
  }, [messages, seen, myAgentId, isComposing, toBottom, countUnread]);

  // Content that grows without new messages (images, email frames sizing themselves) keeps the end in view.
  useEffect(() => {
    const el = scroller.current;
    const content = el?.firstElementChild;
    if (!el || !content) return;
    const ro = new ResizeObserver(() => {
      if (following.current) toBottom();
    });
    ro.observe(content);
    return () => ro.disconnect();
  });

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM;
    // Only the agent's own scroll back down marks messages read (our scrolls happen while following).
    if (atBottom && !following.current) {
      for (const m of latest.current ?? []) seen.add(m.id);
      setUnread(0);
    }
    following.current = atBottom;
  }, [seen]);

  /** After the agent sent something, or asked to see the new messages: back to the newest one. */
  const follow = useCallback(() => {
    for (const m of latest.current ?? []) seen.add(m.id);
    setUnread(0);
    following.current = true;
    toBottom();
  }, [seen, toBottom]);

  return { scroller, onScroll, seen, unread, follow };
}
