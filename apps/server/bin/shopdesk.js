#!/usr/bin/env node
// Runs the server bundle that `npm start` builds (dist/cli.mjs: loads ~4× faster) while it is newer than
// every source file it was built from; otherwise the TypeScript sources directly through tsx, so an edit
// is never run stale and there is no build step to forget.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/cli.mjs');

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const fresh =
  existsSync(bundle) &&
  statSync(bundle).mtimeMs >
    Math.max(newest(join(root, 'src')), newest(join(root, '../../packages/contracts/src')));

if (fresh) {
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
