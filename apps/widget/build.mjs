// Three bundles: widget.js (launcher + JS API + feedback tab, loaded on every page view), widget-chat.js
// (the conversation UI, loaded on first open) and widget-feedback.js (the feedback form, on first
// click). Prints their sizes gzipped; the page-view budget is 30 KB.
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
// Built aside and renamed into place file by file: a server (or a test) reading dist/ meanwhile gets the
// old file or the new one, never a missing or half-written one.
const out = join(here, `.dist-${process.pid}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
mkdirSync(dist, { recursive: true });
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
await build({
  ...common,
  entryPoints: [join(here, 'src/feedback.ts')],
  outfile: join(out, 'widget-feedback.js'),
  format: 'esm',
});
for (const f of ['widget.js', 'widget-chat.js', 'widget-feedback.js']) {
  const buf = readFileSync(join(out, f));
  renameSync(join(out, f), join(dist, f));
  process.stdout.write(
    `  ${f}: ${(buf.length / 1024).toFixed(1)} KB, ${(gzipSync(buf).length / 1024).toFixed(1)} KB gzip\n`,
  );
}
rmSync(out, { recursive: true, force: true });
