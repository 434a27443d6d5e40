import { useEffect, useRef, useState } from 'react';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';

/** The widget repeats `typing: true` every 2 s while the shopper types; silence this long means they stopped. */
const TYPING_TIMEOUT_MS = 6_000;

/**
 * Whether the chat visitor of this ticket is typing right now (`chat.visitor_typing` events). Cleared by
 * `typing: false`, by their message arriving, or after a few seconds without news (a closed tab sends
 * nothing).
 */
export function useVisitorTyping(ticketId: number, enabled: boolean) {
  const [typing, setTyping] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const stop = () => {
    clearTimeout(timer.current);
    setTyping(false);
  };
  useRealtimeEvent((e) => {
    if (!enabled || e.ticketId !== ticketId) return;
    if (e.event === 'message.received') stop();
    else if (e.event === 'chat.visitor_typing') {
      if (e.data?.typing !== true) return stop();
      clearTimeout(timer.current);
      setTyping(true);
      timer.current = setTimeout(() => setTyping(false), TYPING_TIMEOUT_MS);
    }
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when another ticket opens
  useEffect(() => stop, [ticketId]);
  return typing;
}
