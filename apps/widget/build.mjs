// Two bundles: widget.js (launcher + JS API, loaded on every page view) and widget-chat.js (the
// conversation UI, loaded on first open). Prints both sizes gzipped; the page-view budget is 30 KB.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, target: ['es2020'], legalComments: 'none', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [join(here, 'src/loader.ts')],
  outfile: join(out, 'widget.js'),
  format: 'iife',
});
await build({
  ...common,
  entryPoints: [join(here, 'src/chat.ts')],
  outfile: join(out, 'widget-chat.js'),
  format: 'esm',
});
for (const f of ['widget.js', 'widget-chat.js']) {
  const buf = readFileSync(join(out, f));
  process.stdout.write(
    `  ${f}: ${(buf.length / 1024).toFixed(1)} KB, ${(gzipSync(buf).length / 1024).toFixed(1)} KB gzip\n`,
  );
}
