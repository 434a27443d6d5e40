import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The server package's directory (`apps/server`). Found by walking up to its package.json rather than
 * by a fixed `../..` from this file, because the same code runs from `src/` (through tsx) and from the
 * bundle in `dist/` that `npm start` builds.
 */
function findServerRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@shopdesk/server'
    )
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('apps/server/package.json not found above the running code');
    dir = up;
  }
}

export const serverRoot = findServerRoot();
/** Sibling apps' build output (dashboard, widget) lives next to the server package. */
export const appsDir = dirname(serverRoot);
