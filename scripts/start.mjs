#!/usr/bin/env node
// `npm start`: build the front-end apps when their sources changed, then run the server in this process.
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

process.argv = [
  process.argv[0],
  join(root, 'apps/server/bin/shopdesk.js'),
  'start',
  ...process.argv.slice(2),
];
await import('../apps/server/bin/shopdesk.js');
