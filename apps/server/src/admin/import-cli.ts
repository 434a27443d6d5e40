import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CreateImport } from '@shopdesk/contracts';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createImportsService } from '../modules/integrations/index.ts';
import { findWorkspaceBySlug, listWorkspaces } from '../modules/workspaces/index.ts';
import type { AdminOutput } from '../platform/admin-socket.ts';
import type { Db } from '../platform/db/db.ts';
import { createFileStore } from '../platform/storage/file-store.ts';
import { progressBar } from '../seed/scale-seed.ts';

export class ImportUsageError extends Error {}

/**
 * `shopdesk import csv --file F` / `shopdesk import zendesk --url U --email E --token T` (docs/integrations.md):
 * the same service as Settings → Import, every page driven in this process with a progress bar. Running
 * it again after an interruption imports only what is missing (the source-id map skips the rest).
 */
export async function importCommand(
  values: Record<string, string | undefined>,
  ctx: { db: Db; config: Config; log: Logger; io: AdminOutput; inServer: boolean },
): Promise<void> {
  const { db, config, log, io } = ctx;
  let slug = values.workspace;
  if (!slug) {
    const all = await listWorkspaces(db);
    if (all.length !== 1) throw new ImportUsageError('import needs --workspace W (there is more than one)');
    slug = all[0]!.slug;
  }
  const ws = await findWorkspaceBySlug(db, slug);
  if (!ws) throw new ImportUsageError(`No workspace "${slug}"`);
  const raw =
    values.source === 'csv'
      ? (() => {
          if (!values.file) throw new ImportUsageError('import csv needs --file F');
          return { source: 'csv', csv: readFileSync(values.file, 'utf8'), filename: basename(values.file) };
        })()
      : values.source === 'zendesk'
        ? { source: 'zendesk', url: values.url, email: values.email, token: values.token }
        : null;
  if (!raw) throw new ImportUsageError('import needs a source: import csv … or import zendesk …');
  const input = CreateImport.safeParse(raw);
  if (!input.success)
    throw new ImportUsageError(
      `import ${values.source}: ${input.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  const svc = createImportsService({ db, config, log, files: createFileStore(config, db) });
  const run = await svc.create({ workspaceId: ws.id, agentId: null }, input.data, { inline: true });
  const bar = progressBar(
    ctx.inServer
      ? ({ isTTY: false, write: (t: string) => io.err(t) } as unknown as NodeJS.WriteStream)
      : undefined,
  );
  const done = await svc.runInline(ws.id, run.id, (r) => {
    const seen = r.ticketsImported + r.ticketsSkipped;
    bar({
      phase: `Importing (${r.source})`,
      done: seen,
      total: r.ticketsTotal ?? (r.status === 'done' ? seen : seen + 1),
    });
  });
  io.out(
    `Import #${done.id} (${done.source}) into "${slug}": ${done.ticketsImported} tickets and ${done.messagesImported} messages imported, ${done.ticketsSkipped} skipped, ${done.errorCount} errors.\n`,
  );
  for (const e of done.errors.slice(0, 20)) io.err(`  ${e.item ?? '-'}: ${e.message}\n`);
}
