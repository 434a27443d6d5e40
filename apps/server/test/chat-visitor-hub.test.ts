import type { VisitorServerFrame } from '@shopdesk/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { ChatBackend } from '../src/channels/chat/index.ts';
import { VisitorHub } from '../src/channels/chat/index.ts';
import type { EventBus } from '../src/platform/events/bus.ts';

/** The hub with an in-memory bus (signals go straight to the handlers) and a scripted backend. */
function setup() {
  const handlers = new Map<string, (p: Record<string, unknown>) => void>();
  const bus = {
    onSignal: (name: string, fn: (p: Record<string, unknown>) => void) => handlers.set(name, fn),
    signal: async (name: string, p: Record<string, unknown>) => handlers.get(name)?.(p),
  } as unknown as EventBus;
  const hub = new VisitorHub(bus);
  let seenUpTo = 0;
  hub.setBackend({ agentViewed: async () => seenUpTo } as unknown as ChatBackend);
  const frames: VisitorServerFrame[] = [];
  const socket = { readyState: 1, send: (d: string) => frames.push(JSON.parse(d)) } as unknown as WebSocket;
  hub.attach(socket, 1, 'v_1', [10]);
  const agentViews = async () => {
    await bus.signal('presence', { w: 1, t: 10, a: 7, n: 'Ana', s: 'viewing' });
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'typing')).toBe(true));
    frames.splice(
      frames.findIndex((f) => f.type === 'typing'),
      1,
    );
    await new Promise((r) => setImmediate(r)); // the read receipt is sent after an awaited lookup
  };
  return { hub, frames, agentViews, setSeen: (n: number) => (seenUpTo = n) };
}

afterEach(() => vi.useRealTimers());

describe('visitor hub read receipts', () => {
  it('tells the widget what agents have seen only when that changed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { frames, agentViews, setSeen } = setup();
    setSeen(5);
    await agentViews();
    // Open dashboards re-announce viewing every few seconds; nothing new was seen.
    for (let i = 0; i < 3; i++) {
      vi.setSystemTime(Date.now() + 5_000);
      await agentViews();
    }
    setSeen(8);
    vi.setSystemTime(Date.now() + 5_000);
    await agentViews();
    expect(frames).toEqual([
      { type: 'read', upTo: 5 },
      { type: 'read', upTo: 8 },
    ]);
  });
});
