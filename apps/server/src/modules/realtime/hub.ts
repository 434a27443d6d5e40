import type { ClientFrame, ServerFrame } from '@shopdesk/contracts';
import { ClientFrame as ClientFrameSchema } from '@shopdesk/contracts';
import type { WebSocket } from 'ws';
import type { DomainEvent, EventBus } from '../../platform/events/bus.ts';
import { cleanUntrustedInput } from '../../platform/http/untrusted-input.ts';

export interface SocketIdentity {
  workspaceId: number;
  agentId: number;
  name: string;
}

type PresenceState = 'viewing' | 'typing';
type PresenceEntry = { agentId: number; name: string; state: PresenceState; expires: number };

const PRESENCE_TTL_MS = 30_000;

/**
 * Rooms are keyed by workspace first, so a socket can only ever hear its own workspace:
 * `${workspaceId}:workspace` and `${workspaceId}:ticket:${id}`.
 */
export class RealtimeHub {
  private rooms = new Map<string, Set<WebSocket>>();
  private sockets = new Map<WebSocket, { id: SocketIdentity; rooms: Set<string> }>();
  private presence = new Map<string, Map<number, PresenceEntry>>();
  private sweeper: NodeJS.Timeout;

  constructor(private bus: EventBus) {
    bus.onBroadcast((e) => this.fanOut(e));
    bus.onSignal('presence', (p) => this.applyPresence(p as unknown as PresenceSignal));
    // Events from other nodes were missed while the LISTEN connection was down: the sockets are closed
    // with 1012 (service restart), and the dashboard reconnects and refetches what it shows.
    bus.onMissed(() => {
      for (const ws of this.sockets.keys()) ws.close(1012, 'events were missed; reconnect');
    });
    this.sweeper = setInterval(() => this.sweepPresence(), 5_000);
    this.sweeper.unref();
  }

  get connectionCount() {
    return this.sockets.size;
  }

  attach(ws: WebSocket, id: SocketIdentity) {
    this.sockets.set(ws, { id, rooms: new Set() });
    this.join(ws, `${id.workspaceId}:workspace`);
    this.send(ws, { type: 'ready', agentId: id.agentId, workspaceId: id.workspaceId });
    ws.on('message', (raw) => this.onFrame(ws, raw.toString()));
    ws.on('close', () => this.detach(ws));
    ws.on('error', () => this.detach(ws));
  }

  private detach(ws: WebSocket) {
    const s = this.sockets.get(ws);
    if (!s) return;
    for (const room of s.rooms) this.rooms.get(room)?.delete(ws);
    this.sockets.delete(ws);
    // Leaving closes this agent's presence on every ticket they had open on this socket.
    for (const room of s.rooms) {
      const m = /:ticket:(\d+)$/.exec(room);
      if (m) void this.setPresence(s.id, Number(m[1]), 'left');
    }
  }

  private join(ws: WebSocket, room: string) {
    let set = this.rooms.get(room);
    if (!set) {
      set = new Set();
      this.rooms.set(room, set);
    }
    set.add(ws);
    this.sockets.get(ws)?.rooms.add(room);
  }

  private onFrame(ws: WebSocket, raw: string) {
    const s = this.sockets.get(ws);
    if (!s) return;
    let frame: ClientFrame;
    try {
      frame = ClientFrameSchema.parse(cleanUntrustedInput(JSON.parse(raw), 'frame'));
    } catch {
      this.send(ws, { type: 'error', code: 'bad_frame', message: 'Unrecognised frame' });
      return;
    }
    const ws_ = s.id.workspaceId;
    switch (frame.type) {
      case 'ping':
        this.send(ws, { type: 'pong' });
        return;
      case 'subscribe': {
        // Views are filters over the workspace stream; clients re-query on change.
        const room = frame.room.startsWith('view:') ? 'workspace' : frame.room;
        this.join(ws, `${ws_}:${room}`);
        this.send(ws, { type: 'subscribed', room: frame.room });
        const t = /^ticket:(\d+)$/.exec(frame.room);
        if (t) this.sendPresence(ws_, Number(t[1]), ws);
        return;
      }
      case 'unsubscribe': {
        const key = `${ws_}:${frame.room}`;
        this.rooms.get(key)?.delete(ws);
        s.rooms.delete(key);
        return;
      }
      case 'presence':
        void this.setPresence(s.id, frame.ticketId, frame.state);
        return;
    }
  }

  private async setPresence(id: SocketIdentity, ticketId: number, state: PresenceState | 'left') {
    const sig: PresenceSignal = { w: id.workspaceId, t: ticketId, a: id.agentId, n: id.name, s: state };
    await this.bus.signal('presence', sig as unknown as Record<string, unknown>);
  }

  private applyPresence(p: PresenceSignal) {
    const key = `${p.w}:${p.t}`;
    let m = this.presence.get(key);
    if (!m) {
      m = new Map();
      this.presence.set(key, m);
    }
    if (p.s === 'left') m.delete(p.a);
    else m.set(p.a, { agentId: p.a, name: p.n, state: p.s, expires: Date.now() + PRESENCE_TTL_MS });
    this.sendPresence(p.w, p.t);
  }

  private sweepPresence() {
    const now = Date.now();
    for (const [key, m] of this.presence) {
      let changed = false;
      for (const [agent, e] of m) {
        if (e.expires < now) {
          m.delete(agent);
          changed = true;
        }
      }
      const [w, t] = key.split(':').map(Number);
      if (changed) this.sendPresence(w!, t!);
      if (m.size === 0) this.presence.delete(key);
    }
  }

  private sendPresence(workspaceId: number, ticketId: number, only?: WebSocket) {
    const m = this.presence.get(`${workspaceId}:${ticketId}`);
    const frame: ServerFrame = {
      type: 'presence',
      ticketId,
      agents: [...(m?.values() ?? [])].map((e) => ({ agentId: e.agentId, name: e.name, state: e.state })),
    };
    if (only) return this.send(only, frame);
    for (const ws of this.rooms.get(`${workspaceId}:ticket:${ticketId}`) ?? []) this.send(ws, frame);
  }

  private fanOut(e: DomainEvent) {
    const frame: ServerFrame = {
      type: 'event',
      event: e.name,
      ticketId: e.ticketId,
      messageId: e.messageId,
      data: e.data,
      at: new Date().toISOString(),
    };
    const data = JSON.stringify(frame);
    const targets = new Set<WebSocket>(this.rooms.get(`${e.workspaceId}:workspace`) ?? []);
    if (e.ticketId)
      for (const ws of this.rooms.get(`${e.workspaceId}:ticket:${e.ticketId}`) ?? []) targets.add(ws);
    for (const ws of targets) if (ws.readyState === 1) ws.send(data);
  }

  private send(ws: WebSocket, frame: ServerFrame) {
    if (ws.readyState === 1) ws.send(JSON.stringify(frame));
  }

  close() {
    clearInterval(this.sweeper);
    for (const ws of this.sockets.keys()) ws.close(1001, 'server shutting down');
  }
}

type PresenceSignal = { w: number; t: number; a: number; n: string; s: PresenceState | 'left' };
