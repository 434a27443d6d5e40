import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';

/**
 * A local admin socket: a Unix socket in the data dir (owner-only) through which CLI commands run inside
 * the running server, on its open database, instead of opening the embedded database a second time.
 * Protocol: the client writes one JSON line {command, args}; the server answers with JSON lines
 * {out} / {err} (output as it comes) and a last {exit}.
 */
export interface AdminRequest {
  command: string;
  args: Record<string, string | undefined>;
}
export interface AdminOutput {
  out(text: string): void;
  err(text: string): void;
}
export type AdminHandler = (req: AdminRequest, io: AdminOutput) => Promise<number>;

export async function listenAdminSocket(path: string, handler: AdminHandler): Promise<Server> {
  // A socket file left by a crashed server would make listen fail with EADDRINUSE; the data-dir lock
  // already proved no live server owns it.
  rmSync(path, { force: true });
  const server = createServer((sock) => {
    let buf = '';
    const send = (m: object) => {
      if (!sock.destroyed) sock.write(`${JSON.stringify(m)}\n`);
    };
    sock.setEncoding('utf8');
    sock.on('error', () => {});
    sock.on('data', (chunk: string) => {
      if (buf.length > 64 * 1024) return void sock.destroy();
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.removeAllListeners('data');
      let req: AdminRequest;
      try {
        req = JSON.parse(buf.slice(0, nl)) as AdminRequest;
      } catch {
        send({ err: 'Bad request\n' });
        send({ exit: 2 });
        return void sock.end();
      }
      handler(req, { out: (t) => send({ out: t }), err: (t) => send({ err: t }) })
        .then((exit) => send({ exit }))
        .catch((e: unknown) => {
          send({ err: `Error: ${e instanceof Error ? e.message : String(e)}\n` });
          send({ exit: 1 });
        })
        .finally(() => sock.end());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path, readableAll: false, writableAll: false }, () => resolve());
  });
  // Owner-only: anyone who can connect can create admins.
  chmodSync(path, 0o600);
  return server;
}

export function closeAdminSocket(server: Server, path: string): Promise<void> {
  return new Promise((resolve) =>
    server.close(() => {
      rmSync(path, { force: true });
      resolve();
    }),
  );
}

/** Runs one command in the server behind the socket; resolves with its exit code. */
export function callAdminSocket(path: string, req: AdminRequest, io: AdminOutput): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    let exit: number | undefined;
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const m = JSON.parse(buf.slice(0, nl)) as { out?: string; err?: string; exit?: number };
        buf = buf.slice(nl + 1);
        if (m.out !== undefined) io.out(m.out);
        if (m.err !== undefined) io.err(m.err);
        if (m.exit !== undefined) exit = m.exit;
      }
    });
    sock.on('error', reject);
    sock.on('close', () =>
      exit === undefined
        ? reject(new Error('The server closed the admin socket without an answer'))
        : resolve(exit),
    );
  });
}
