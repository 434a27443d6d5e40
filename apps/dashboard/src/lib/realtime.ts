/**
 * One WebSocket per tab to /api/v1/realtime. Rooms are reference-counted so any number of components can
 * subscribe to `ticket:42`; after a reconnect every room is joined again and `reconnected` listeners run
 * (the shell refetches, so nothing missed while offline stays missing).
 */
import type { ClientFrame, ServerFrame } from '@shopdesk/contracts';

export type EventFrame = Extract<ServerFrame, { type: 'event' }>;
export type PresenceFrame = Extract<ServerFrame, { type: 'presence' }>;
export type ConnectionState = 'connecting' | 'open' | 'closed';

type Fn<T> = (v: T) => void;

export class RealtimeClient {
  private ws: WebSocket | null = null;
  private rooms = new Map<string, number>();
  private eventFns = new Set<Fn<EventFrame>>();
  private presenceFns = new Set<Fn<PresenceFrame>>();
  private stateFns = new Set<Fn<ConnectionState>>();
  private reconnectFns = new Set<() => void>();
  private openFns = new Set<() => void>();
  private lastPresence = new Map<number, PresenceFrame>();
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pinger: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private everOpened = false;
  state: ConnectionState = 'closed';

  constructor(private url = defaultUrl()) {}

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pinger) clearInterval(this.pinger);
    this.ws?.close(1000, 'bye');
    this.ws = null;
  }

  /** Reconnect now (e.g. after signing in again). */
  kick() {
    if (this.state === 'open' || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.retry = 0;
    this.connect();
  }

  private setState(s: ConnectionState) {
    this.state = s;
    for (const f of this.stateFns) f(s);
  }

  private connect() {
    this.setState('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.setState('open');
      for (const room of this.rooms.keys()) this.send({ type: 'subscribe', room });
      for (const f of this.openFns) f();
      if (this.everOpened) for (const f of this.reconnectFns) f();
      this.everOpened = true;
      if (this.pinger) clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: 'ping' }), 25_000);
    };
    ws.onmessage = (m) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(m.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === 'event') for (const f of this.eventFns) f(frame);
      else if (frame.type === 'presence') {
        this.lastPresence.set(frame.ticketId, frame);
        for (const f of this.presenceFns) f(frame);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.pinger) clearInterval(this.pinger);
      this.setState('closed');
      if (this.stopped) return;
      // Exponential backoff with jitter, capped at 15 s, so a restarting server is not stampeded.
      const delay = Math.min(15_000, 500 * 2 ** this.retry++) * (0.5 + Math.random() / 2);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  send(frame: ClientFrame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  subscribe(room: string): () => void {
    const n = this.rooms.get(room) ?? 0;
    this.rooms.set(room, n + 1);
    if (n === 0) this.send({ type: 'subscribe', room });
    return () => {
      const left = (this.rooms.get(room) ?? 1) - 1;
      if (left > 0) this.rooms.set(room, left);
      else {
        this.rooms.delete(room);
        this.send({ type: 'unsubscribe', room });
      }
    };
  }

  presence(ticketId: number, state: 'viewing' | 'typing' | 'left') {
    this.send({ type: 'presence', ticketId, state });
  }

  lastPresenceOf(ticketId: number) {
    return this.lastPresence.get(ticketId);
  }

  onEvent(f: Fn<EventFrame>) {
    this.eventFns.add(f);
    return () => {
      this.eventFns.delete(f);
    };
  }
  onPresence(f: Fn<PresenceFrame>) {
    this.presenceFns.add(f);
    return () => {
      this.presenceFns.delete(f);
    };
  }
  onState(f: Fn<ConnectionState>) {
    this.stateFns.add(f);
    return () => {
      this.stateFns.delete(f);
    };
  }
  /** Runs on every (re)connection, e.g. to announce presence again. */
  onOpen(f: () => void) {
    this.openFns.add(f);
    return () => {
      this.openFns.delete(f);
    };
  }
  /** Runs when a dropped connection comes back (not on the first connect). */
  onReconnect(f: () => void) {
    this.reconnectFns.add(f);
    return () => {
      this.reconnectFns.delete(f);
    };
  }
}

function defaultUrl() {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api/v1/realtime`;
}
