import { VisitorClientFrame, type VisitorServerFrame } from '@shopdesk/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { AppError } from '../../platform/errors.ts';
import type { ChatBackend, VisitorContext } from './ports.ts';
import type { VisitorHub } from './visitor-hub.ts';

const HELLO_TIMEOUT_MS = 10_000;
const HEARTBEAT_EVERY_MS = 20_000;

const send = (ws: WebSocket, f: VisitorServerFrame) => {
  if (ws.readyState === 1) ws.send(JSON.stringify(f));
};

function errorFrame(err: unknown, clientId?: string): VisitorServerFrame {
  if (err instanceof AppError) {
    const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    return {
      type: 'error',
      code: err.code,
      message: err.message,
      ...(clientId ? { clientId } : {}),
      ...(retry ? { retryAfterSeconds: retry } : {}),
    };
  }
  return {
    type: 'error',
    code: 'internal',
    message: 'Something went wrong; try again',
    ...(clientId ? { clientId } : {}),
  };
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
) {
  app.get<{ Params: { workspace: string } }>(
    '/api/v1/widget/:workspace/socket',
    { websocket: true },
    (socket: WebSocket, req: FastifyRequest<{ Params: { workspace: string } }>) => {
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

      socket.on('message', async (raw) => {
        let frame: VisitorClientFrame;
        try {
          frame = VisitorClientFrame.parse(JSON.parse(raw.toString()));
        } catch {
          send(socket, { type: 'error', code: 'bad_frame', message: 'Unrecognised frame' });
          return;
        }
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
          }
        } catch (err) {
          if (!(err instanceof AppError)) log.error({ err }, 'chat frame failed');
          send(socket, errorFrame(err, frame.type === 'message' ? frame.clientId : undefined));
        }
      });

      const gone = () => {
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
