import type { VisitorClientFrame, VisitorServerFrame } from '@shopdesk/contracts';

/*
 * The visitor's socket: connect with the session token, ping to find half-open sockets, reconnect
 * with jittered backoff while online. What the frames mean is the conversation UI's (chat.ts).
 */

/** Widget ping cadence, and how long a pong may take before the socket counts as dead. */
const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;

export class VisitorSocket {
  private ws: WebSocket | null = null;
  /** The server answered `hello` with `ready`: frames may be sent. */
  ready = false;
  private retry = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private url: string,
    private token: () => string | null,
    private onFrame: (f: VisitorServerFrame) => void,
    /** The socket went down (closed, or no pong): the UI shows it before a reconnect is scheduled. */
    private onDown: () => void,
  ) {}

  send(frame: VisitorClientFrame) {
    if (this.ws && this.ready && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  /** Called on the server's `ready` frame. */
  opened() {
    this.ready = true;
    this.retry = 0;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
  }

  disconnect() {
    this.ready = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.onmessage = null;
      this.ws.close();
      this.ws = null;
    }
  }

  /** Disconnected for good, until connect() is called again (sign-out). */
  stop() {
    this.disconnect();
    clearTimeout(this.reconnectTimer);
  }

  /** The network is back: reconnect at once. */
  online() {
    this.retry = 0;
    this.disconnect();
    this.connect();
  }

  private scheduleReconnect() {
    clearTimeout(this.reconnectTimer);
    if (!navigator.onLine) return; // the 'online' event reconnects
    const delay = Math.min(15_000, 500 * 2 ** this.retry++) * (0.8 + Math.random() * 0.4);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private ping() {
    if (!this.send({ type: 'ping' })) return;
    clearTimeout(this.pongTimer);
    // A half-open socket (laptop lid, mobile network switch) accepts sends and never answers.
    this.pongTimer = setTimeout(() => {
      this.disconnect();
      this.onDown();
      this.scheduleReconnect();
    }, PONG_TIMEOUT_MS);
  }

  connect() {
    if (!this.token() || this.ws) return;
    const sock = new WebSocket(this.url);
    this.ws = sock;
    sock.onopen = () => sock.send(JSON.stringify({ type: 'hello', token: this.token() }));
    sock.onmessage = (e) => {
      clearTimeout(this.pongTimer); // anything heard proves the socket alive
      this.onFrame(JSON.parse(String(e.data)) as VisitorServerFrame);
    };
    sock.onclose = () => {
      if (this.ws !== sock) return;
      this.ws = null;
      this.ready = false;
      clearInterval(this.pingTimer);
      clearTimeout(this.pongTimer);
      this.onDown();
      this.scheduleReconnect();
    };
  }
}
