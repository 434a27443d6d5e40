#!/usr/bin/env node
// `npm start`: build the front-end apps and the server bundle when their sources changed, then run the
// server in this process. In production (NODE_ENV=production, or when the build tools were pruned with
// `npm prune --omit=dev`) it never builds: it runs what `npm run build` made, and says so if it is missing.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

function installed(pkg) {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const builds = process.env.NODE_ENV !== 'production' && installed('esbuild');

if (builds) {
  for (const app of ['dashboard', 'widget']) {
    const dir = join(root, 'apps', app);
    if (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) continue;
    const built = newest(join(dir, 'dist'));
    const sources = Math.max(
      newest(join(dir, 'src')),
      newest(join(dir, 'index.html')),
      newest(join(root, 'packages/contracts/src')),
    );
    if (built === 0 || sources > built) {
      process.stdout.write(`Building ${app}…\n`);
      execSync(`npm run build --silent -w @shopdesk/${app}`, { cwd: root, stdio: 'inherit' });
    }
  }

  // The server itself: a bundle that loads in a fraction of the time tsx needs (bin/shopdesk.js uses it
  // only while it is newer than the sources, so a stale one is never run).
  const serverDir = join(root, 'apps/server');
  const serverBuilt = newest(join(serverDir, 'dist/cli.mjs'));
  if (serverBuilt <= Math.max(newest(join(serverDir, 'src')), newest(join(root, 'packages/contracts/src')))) {
    const { buildServerBundle } = await import('./build-server.mjs');
    await buildServerBundle();
  }
} else {
  const missing = [
    'apps/server/dist/cli.mjs',
    'apps/dashboard/dist/index.html',
    'apps/widget/dist/widget.js',
  ].filter((f) => !existsSync(join(root, f)));
  if (missing.length) {
    process.stderr.write(
      `Not built: ${missing.join(', ')}. In production \`npm start\` never builds: run \`npm run build\` first (scripts/install-production.sh installs, builds and prunes).\n`,
    );
    process.exit(1);
  }
}

process.argv = [
  process.argv[0],
  join(root, 'apps/server/bin/shopdesk.js'),
  'start',
  ...process.argv.slice(2),
];
await import('../apps/server/bin/shopdesk.js');
