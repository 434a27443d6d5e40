import { MAX_CHAT_MESSAGE_CHARS, VisitorClientFrame, type VisitorServerFrame } from '@shopdesk/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { AppError } from '../../platform/errors.ts';
import { clientKey, type RateLimits } from '../../platform/http/rate-limit.ts';
import { cleanUntrustedInput } from '../../platform/http/untrusted-input.ts';
import type { ChatBackend, VisitorContext } from './ports.ts';
import type { VisitorHub } from './visitor-hub.ts';

const HELLO_TIMEOUT_MS = 10_000;
const HEARTBEAT_EVERY_MS = 20_000;
/**
 * Open widget sockets per client IP on one node. A shop's busiest office or mobile carrier NAT stays
 * well below it; one script opening sockets in a loop does not.
 */
export const MAX_SOCKETS_PER_IP = 50;
export const TOO_MANY_SOCKETS_CODE = 4429;

const send = (ws: WebSocket, f: VisitorServerFrame) => {
  if (ws.readyState === 1) ws.send(JSON.stringify(f));
};

function errorFrame(err: unknown, clientId?: string): VisitorServerFrame {
  if (err instanceof AppError) {
    const details = err.details as { retryAfterSeconds?: number; reason?: unknown } | undefined;
    const retry = details?.retryAfterSeconds;
    const reason = typeof details?.reason === 'string' ? details.reason : undefined;
    return {
      type: 'error',
      code: err.code,
      message: err.message,
      ...(clientId ? { clientId } : {}),
      ...(retry ? { retryAfterSeconds: retry } : {}),
      ...(reason ? { reason } : {}),
    };
  }
  return {
    type: 'error',
    code: 'internal',
    message: 'Something went wrong; try again',
    ...(clientId ? { clientId } : {}),
  };
}

/** A frame that failed validation; a message's client id comes back so the widget can say which one. */
function badFrame(json: unknown): VisitorServerFrame {
  const f = (json ?? {}) as { type?: unknown; clientId?: unknown; text?: unknown };
  if (f.type === 'message' && typeof f.clientId === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(f.clientId))
    return {
      type: 'error',
      code: 'validation_failed',
      clientId: f.clientId,
      message:
        typeof f.text === 'string' && f.text.length > MAX_CHAT_MESSAGE_CHARS
          ? `Messages can be at most ${MAX_CHAT_MESSAGE_CHARS} characters`
          : typeof f.text === 'string' && f.text.includes('\0')
            ? 'Messages cannot contain NUL characters (U+0000); it was not sent'
            : 'This message could not be read; it was not sent',
    };
  return { type: 'error', code: 'bad_frame', message: 'Unrecognised frame' };
}

/**
 * The widget's WebSocket: `hello` with the visitor token first, then messages, typing, read and page
 * frames. Messages are acknowledged only after they are stored (the ack echoes the client's id).
 */
export function registerVisitorSocket(
  app: FastifyInstance,
  hub: VisitorHub,
  backend: ChatBackend,
  log: Logger,
  limits: RateLimits,
  maxSocketsPerIp = MAX_SOCKETS_PER_IP,
) {
  const socketsPerIp = new Map<string, number>();
  app.get<{ Params: { workspace: string } }>(
    '/api/v1/widget/:workspace/socket',
    {
      websocket: true,
      // Counted before the upgrade, so a flood of connections is answered 429 with Retry-After.
      onRequest: async (req) => limits.consume('widget.socket', clientKey(req.ip)),
    },
    (socket: WebSocket, req: FastifyRequest<{ Params: { workspace: string } }>) => {
      const ip = clientKey(req.ip);
      const open = socketsPerIp.get(ip) ?? 0;
      if (open >= maxSocketsPerIp) {
        send(socket, {
          type: 'error',
          code: 'too_many_connections',
          message: `Too many chat connections from your network (at most ${maxSocketsPerIp} at once)`,
        });
        socket.close(TOO_MANY_SOCKETS_CODE, 'too many connections from your network');
        return;
      }
      socketsPerIp.set(ip, open + 1);
      let counted = true;
      const uncount = () => {
        if (!counted) return;
        counted = false;
        const n = (socketsPerIp.get(ip) ?? 1) - 1;
        if (n > 0) socketsPerIp.set(ip, n);
        else socketsPerIp.delete(ip);
      };
      let ctx: VisitorContext | undefined;
      let authenticating = false;
      let lastBeat = 0;
      let lastTyping = 0;
      const helloTimer = setTimeout(() => socket.close(4401, 'hello expected'), HELLO_TIMEOUT_MS);

      const beat = (force = false) => {
        if (!ctx || (!force && Date.now() - lastBeat < HEARTBEAT_EVERY_MS)) return;
        lastBeat = Date.now();
        backend.heartbeat(ctx, true).catch((err) => log.warn({ err }, 'chat heartbeat failed'));
      };

      // Frames are handled one at a time, in the order the widget sent them ('page' before the
      // 'message' it sent right after, 'typing: false' after the message); pings are answered at once
      // so a slow store never looks like a dead socket.
      let queue: Promise<void> = Promise.resolve();
      socket.on('message', (raw) => {
        let frame: VisitorClientFrame;
        let json: unknown;
        try {
          json = JSON.parse(raw.toString());
          frame = VisitorClientFrame.parse(cleanUntrustedInput(json, 'frame'));
        } catch {
          send(socket, badFrame(json));
          return;
        }
        if (frame.type === 'ping' && ctx) {
          beat();
          send(socket, { type: 'pong' });
          return;
        }
        const f = frame;
        queue = queue.then(() => handle(f)).catch((err) => log.error({ err }, 'chat frame failed'));
      });

      const handle = async (frame: VisitorClientFrame) => {
        if (frame.type === 'hello') {
          if (ctx || authenticating) return;
          authenticating = true;
          try {
            const auth = await backend.authenticateSocket(req.params.workspace, frame.token, {
              origin: req.headers.origin ?? null,
              host: req.headers.host,
              ip: req.ip,
              userAgent: req.headers['user-agent'] ?? null,
            });
            clearTimeout(helloTimer);
            if (socket.readyState !== 1) return;
            ctx = auth.ctx;
            hub.attach(socket, ctx.workspaceId, ctx.visitorKey, auth.ticketIds);
            beat(true);
            send(socket, { type: 'ready', visitorId: ctx.visitorKey, conversation: auth.conversation });
          } catch (err) {
            send(socket, errorFrame(err));
            socket.close(4401, 'unauthorized');
          } finally {
            authenticating = false;
          }
          return;
        }
        if (!ctx) {
          send(socket, {
            type: 'error',
            code: 'unauthorized',
            message: 'Send hello with the visitor token first',
          });
          return;
        }
        beat();
        try {
          switch (frame.type) {
            case 'ping':
              send(socket, { type: 'pong' });
              return;
            case 'message': {
              const ack = await backend.acceptMessage(ctx, frame);
              send(socket, { type: 'ack', ...ack });
              return;
            }
            case 'typing':
              // A keystroke stream becomes at most one signal per 2 s (plus every stop).
              if (frame.typing && Date.now() - lastTyping < 2000) return;
              lastTyping = frame.typing ? Date.now() : 0;
              await backend.visitorTyping(ctx, frame.typing);
              return;
            case 'read':
              await backend.visitorRead(ctx, frame.upTo);
              return;
            case 'page':
              await backend.visitorPage(ctx, frame.url, frame.title);
              return;
            case 'locale':
              await backend.visitorLocale(ctx, frame.locale);
              return;
          }
        } catch (err) {
          if (!(err instanceof AppError)) log.error({ err }, 'chat frame failed');
          send(socket, errorFrame(err, frame.type === 'message' ? frame.clientId : undefined));
        }
      };

      const gone = () => {
        uncount();
        clearTimeout(helloTimer);
        if (!ctx) return;
        const last = hub.detach(socket, ctx.workspaceId, ctx.visitorKey);
        if (last) backend.heartbeat(ctx, false).catch(() => {});
        ctx = undefined;
      };
      socket.on('close', gone);
      socket.on('error', gone);
    },
  );
}
