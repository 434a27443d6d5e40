#!/usr/bin/env node
// Runs the server bundle that `npm run build` (or `npm start`) makes, dist/cli.mjs (loads ~4× faster),
// while it is newer than every source file it was built from; otherwise the TypeScript sources directly
// through tsx, so an edit is never run stale and there is no build step to forget.
// A production install (NODE_ENV=production, or no tsx because dev dependencies were pruned) only ever
// runs the bundle: see scripts/install-production.sh.
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

function hasTsx() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

const sourcesOnly = process.env.NODE_ENV !== 'production' && hasTsx();
const useBundle =
  existsSync(bundle) &&
  (!sourcesOnly ||
    statSync(bundle).mtimeMs >
      Math.max(newest(join(root, 'src')), newest(join(root, '../../packages/contracts/src'))));

if (useBundle) {
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else if (sourcesOnly) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
} else {
  process.stderr.write(
    'The server is not built (apps/server/dist/cli.mjs is missing): run `npm run build` where the dev dependencies are installed (scripts/install-production.sh does it).\n',
  );
  process.exit(1);
}
