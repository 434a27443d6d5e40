import type { VisitorServerFrame } from '@shopdesk/contracts';
import type { WebSocket } from 'ws';
import type { EventBus } from '../../platform/events/bus.ts';
import type { ChatBackend } from './ports.ts';

type PushSignal = { w: number; v: string; f?: VisitorServerFrame; mid?: number; t?: number };
type PresenceSignal = { w: number; t: number; a: number; n: string; s: 'viewing' | 'typing' | 'left' };

/** NOTIFY payloads stop at 8000 bytes: bigger frames travel as a message id and are re-read. */
const MAX_SIGNAL_BYTES = 7000;

/**
 * Visitor sockets, kept apart from the agents' RealtimeHub: a visitor can only ever hear frames
 * addressed to its own (workspace, visitor) key, never a workspace or ticket room.
 */
export class VisitorHub {
  private byVisitor = new Map<string, Set<WebSocket>>();
  /** `${w}:${ticketId}` → visitor keys with a socket on this node (agent typing / read receipts). */
  private byTicket = new Map<string, Set<string>>();
  private lastViewed = new Map<string, number>();
  /** `${w}:${ticketId}` → the highest message id already announced as read by agents. */
  private lastReadSent = new Map<string, number>();
  private backend: ChatBackend | undefined;

  constructor(private bus: EventBus) {
    bus.onSignal('chat-visitor', (p) => void this.onPush(p as unknown as PushSignal));
    bus.onSignal('presence', (p) => void this.onAgentPresence(p as unknown as PresenceSignal));
  }

  setBackend(b: ChatBackend) {
    this.backend = b;
  }

  get connectionCount() {
    let n = 0;
    for (const set of this.byVisitor.values()) n += set.size;
    return n;
  }

  isConnectedHere(workspaceId: number, visitorKey: string) {
    return (this.byVisitor.get(`${workspaceId}:${visitorKey}`)?.size ?? 0) > 0;
  }

  attach(ws: WebSocket, workspaceId: number, visitorKey: string, ticketIds: number[]) {
    const key = `${workspaceId}:${visitorKey}`;
    let set = this.byVisitor.get(key);
    if (!set) {
      set = new Set();
      this.byVisitor.set(key, set);
    }
    set.add(ws);
    for (const t of ticketIds) this.watchTicket(workspaceId, visitorKey, t);
  }

  /** Returns true when it was the visitor's last socket on this node. */
  detach(ws: WebSocket, workspaceId: number, visitorKey: string): boolean {
    const key = `${workspaceId}:${visitorKey}`;
    const set = this.byVisitor.get(key);
    if (!set) return true;
    set.delete(ws);
    if (set.size > 0) return false;
    this.byVisitor.delete(key);
    for (const [tk, visitors] of this.byTicket) {
      visitors.delete(key);
      if (visitors.size === 0) this.byTicket.delete(tk);
    }
    return true;
  }

  /**
   * The visitor's sockets on this node follow the ticket (agent typing, read receipts). Called before
   * a message is acknowledged, so an agent typing right after the first message reaches the widget;
   * other nodes learn of the ticket from the pushed message.
   */
  watch(workspaceId: number, visitorKey: string, ticketId: number) {
    if (this.isConnectedHere(workspaceId, visitorKey)) this.watchTicket(workspaceId, visitorKey, ticketId);
  }

  private watchTicket(workspaceId: number, visitorKey: string, ticketId: number) {
    const tk = `${workspaceId}:${ticketId}`;
    let set = this.byTicket.get(tk);
    if (!set) {
      set = new Set();
      this.byTicket.set(tk, set);
    }
    set.add(`${workspaceId}:${visitorKey}`);
  }

  /** Sends a frame to every socket of the visitor, on every node. */
  async push(workspaceId: number, visitorKey: string, frame: VisitorServerFrame) {
    let sig: PushSignal = { w: workspaceId, v: visitorKey, f: frame };
    if (frame.type === 'message' && JSON.stringify(sig).length > MAX_SIGNAL_BYTES) {
      sig = { w: workspaceId, v: visitorKey, mid: frame.message.id, t: frame.conversation?.ticketId };
    }
    await this.bus.signal('chat-visitor', sig as unknown as Record<string, unknown>);
  }

  private async onPush(p: PushSignal) {
    const key = `${p.w}:${p.v}`;
    const sockets = this.byVisitor.get(key);
    if (!sockets?.size) return;
    let frame = p.f;
    if (!frame && p.mid && this.backend) {
      const message = await this.backend.widgetMessage(p.w, p.mid);
      if (!message) return;
      frame = { type: 'message', message, conversation: null };
    }
    if (!frame) return;
    const ticketId =
      frame.type === 'message' || frame.type === 'conversation' ? frame.conversation?.ticketId : p.t;
    if (ticketId) this.watchTicket(p.w, p.v, ticketId);
    this.sendAll(sockets, frame);
  }

  /** Agents' presence on a chat ticket becomes the visitor's typing indicator and read receipt. */
  private async onAgentPresence(p: PresenceSignal) {
    const visitors = this.byTicket.get(`${p.w}:${p.t}`);
    if (!visitors?.size) return;
    const typing: VisitorServerFrame = { type: 'typing', name: p.n, typing: p.s === 'typing' };
    for (const v of visitors) this.sendAll(this.byVisitor.get(v), typing);
    if (p.s === 'left' || !this.backend) return;
    // Viewing is re-announced every few seconds by open dashboards; mark read at most every 2 s.
    const tk = `${p.w}:${p.t}`;
    const now = Date.now();
    if ((this.lastViewed.get(tk) ?? 0) > now - 2000) return;
    this.lastViewed.set(tk, now);
    if (this.lastViewed.size > 10_000) this.lastViewed.clear();
    const upTo = await this.backend.agentViewed(p.w, p.t);
    // Open dashboards re-announce viewing all the time; only news is worth a frame (each one makes
    // the widget redraw).
    if (upTo <= (this.lastReadSent.get(tk) ?? 0)) return;
    this.lastReadSent.set(tk, upTo);
    if (this.lastReadSent.size > 10_000) this.lastReadSent.clear();
    for (const v of visitors) this.sendAll(this.byVisitor.get(v), { type: 'read', upTo });
  }

  private sendAll(sockets: Set<WebSocket> | undefined, frame: VisitorServerFrame) {
    if (!sockets) return;
    const data = JSON.stringify(frame);
    for (const ws of sockets) if (ws.readyState === 1) ws.send(data);
  }

  close() {
    for (const set of this.byVisitor.values()) for (const ws of set) ws.close(1001, 'server shutting down');
    this.byVisitor.clear();
    this.byTicket.clear();
  }
}
