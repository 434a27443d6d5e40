#!/usr/bin/env node
// `npm run dev`: the API server with reload (tsx watch) on :3000 and the Vite dev server on :5173, which
// proxies /api (and the realtime WebSocket) to it. Open http://localhost:5173. Ctrl+C stops both.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apiPort = process.env.PORT ?? '3000';
const env = { ...process.env, PORT: apiPort, SHOPDESK_API: `http://127.0.0.1:${apiPort}` };

const children = [
  spawn('npx', ['tsx', 'watch', '--clear-screen=false', 'apps/server/src/cli.ts', 'start'], {
    cwd: root,
    env,
    stdio: 'inherit',
  }),
  spawn('npx', ['vite', '--host', '127.0.0.1'], { cwd: join(root, 'apps/dashboard'), env, stdio: 'inherit' }),
];

let stopping = false;
const stop = (code = 0) => {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
};
for (const c of children) c.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
