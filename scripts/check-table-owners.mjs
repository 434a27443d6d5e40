#!/usr/bin/env node
/**
 * Lint: SQL in apps/server/src names only tables its folder owns (table-owners.mjs).
 * Finds table names after FROM / JOIN / INTO / UPDATE / DELETE FROM / TABLE / TRUNCATE (SQL keywords
 * are written in capitals in this code base, which keeps prose like "from the tickets" out) and reports
 * file:line for each table owned by another folder, unless table-owners.mjs lists that file and table
 * as an exception (a write needs an exception that says `writes: true`).
 * Usage: node scripts/check-table-owners.mjs [srcDir]   (default apps/server/src)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exceptions, tableOwners } from '../table-owners.mjs';

const SQL_TABLE =
  /\b(DELETE\s+FROM|FROM|JOIN|INTO|UPDATE|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?|TRUNCATE)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)\b/g;
const isWrite = (keyword) => !/^(FROM|JOIN)$/.test(keyword);

/** The owner a file belongs to: modules/<name>, platform/<part>, channels/<x>, commerce/<x> or the file. */
export function ownerOf(relPath) {
  const parts = relPath.split('/');
  if (parts.length > 2 && ['modules', 'platform', 'channels', 'commerce'].includes(parts[0])) {
    return `${parts[0]}/${parts[1]}`;
  }
  if (parts[0] === 'platform') return `platform/${parts[1].replace(/\.ts$/, '')}`;
  return relPath;
}

// seed/ loads whole workspaces; admin/ (the CLI's export, create-admin, key rotation) reads or
// re-encrypts every table of a database on purpose.
const exempt = (relPath) =>
  relPath.startsWith('seed/') ||
  relPath.startsWith('admin/') ||
  /\.test\.ts$/.test(relPath) ||
  relPath.includes('/test/');

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(ts|tsx|mts)$/.test(entry.name)) yield full;
  }
}

/** Every violation under srcDir as { file, line, owner, table, tableOwner, write }. */
export function findViolations(srcDir) {
  const allowed = new Map(exceptions.map((e) => [`${e.file}\u0000${e.table}`, e]));
  const out = [];
  for (const file of walk(srcDir)) {
    const rel = relative(srcDir, file).split(sep).join('/');
    if (exempt(rel)) continue;
    const owner = ownerOf(rel);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SQL_TABLE)) {
      const [, keyword, table] = m;
      const tableOwner = tableOwners[table];
      if (!tableOwner || tableOwner === owner) continue;
      const write = isWrite(keyword);
      const exception = allowed.get(`${rel}\u0000${table}`);
      if (exception && (!write || exception.writes)) continue;
      const line = text.slice(0, m.index).split('\n').length;
      out.push({ file: rel, line, owner, table, tableOwner, write });
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const srcDir = resolve(process.argv[2] ?? join(root, 'apps/server/src'));
  const violations = findViolations(srcDir);
  for (const v of violations) {
    console.error(
      `${relative(process.cwd(), join(srcDir, v.file))}:${v.line}  ${v.owner} ${v.write ? 'writes' : 'reads'} table "${v.table}", owned by ${v.tableOwner}: go through its index.ts (or add a reasoned exception to table-owners.mjs)`,
    );
  }
  if (violations.length) {
    console.error(`table-owners: ${violations.length} cross-owner table reference(s)`);
    process.exit(1);
  }
}
