import type { CreateImport, ImportRun } from '@shopdesk/contracts';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../platform/db/db.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import {
  assertOutboundUrl,
  OutboundRefusedError,
  outboundFetch,
  retryAfterMs,
  sleep,
} from '../../platform/http/outbound.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue, PermanentJobError } from '../../platform/jobs/queue.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { FileStore } from '../../platform/storage/file-store.ts';
import { recordAudit } from '../audit/index.ts';
import { findOrCreateContact } from '../contacts/index.ts';
import { insertImportedTicket } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import { csvSource, parseImportCsv } from './import-csv.ts';
import { type ImportSourceDef, SourceRefused, type SourceTicket } from './import-source.ts';
import { zendeskSource } from './import-zendesk.ts';
import * as repo from './imports.repository.ts';

const SOURCES: Record<ImportRun['source'], ImportSourceDef> = { zendesk: zendeskSource, csv: csvSource };
export const IMPORT_PAGE_JOB = 'import-page';
/** Attempts of one page (network trouble, rate limits longer than a minute) before the run fails. */
const PAGE_ATTEMPTS = 10;

export function toImportRun(r: repo.ImportRunRow): ImportRun {
  return {
    id: r.id,
    source: r.source,
    status: r.status,
    label: r.label,
    pages: r.pages,
    ticketsImported: r.tickets_imported,
    ticketsSkipped: r.tickets_skipped,
    messagesImported: r.messages_imported,
    ticketsTotal: r.tickets_total,
    errorCount: r.error_count,
    errors: [...r.errors].reverse(),
    lastError: r.last_error,
    startedBy: r.started_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

export interface ImportsDeps {
  db: Db;
  config: Config;
  files: FileStore;
  log: Logger;
}

/**
 * Imports from other helpdesks (docs/integrations.md "Imports"). A run reads its source one page per
 * `import-page` job; each ticket is written with its source-id claim in one transaction (a replayed
 * page skips it), and the page's checkpoint and the next page's job commit together, so a crash or a
 * restart resumes after the last committed page. Writes go through tickets' and contacts' index.ts.
 */
export function createImportsService(deps: ImportsDeps) {
  const { db, config, files, log } = deps;
  const keys = () => keyRing(config);

  async function readFile(sha: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of files.open(sha)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function httpGet(workspaceId: number, url: string, headers: Record<string, string>) {
    const policy = await outboundPolicyOf(db, config, workspaceId);
    const res = await outboundFetch(url, policy, {
      headers,
      attempts: 5,
      maxWaitMs: 60_000,
      timeoutMs: 30_000,
      maxBytes: 64 * 1024 * 1024,
    });
    const where = new URL(url).pathname;
    if (res.status === 401 || res.status === 403)
      throw new SourceRefused(`The source refused the credentials (${res.status} on ${where})`);
    if (res.status !== 200) throw new Error(`The source answered ${res.status} on ${where}; retried later`);
    // Slow down before the source has to say so: out of calls for this window → wait for its reset.
    if (res.headers.get('x-rate-limit-remaining') === '0' || res.headers.get('ratelimit-remaining') === '0') {
      const wait = retryAfterMs(res.headers);
      if (wait) await sleep(Math.min(wait, 60_000));
    }
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw new Error(`The source answered ${where} with something that is not JSON`);
    }
  }

  /** Writes one ticket; its message count, or null when the source id was imported before. */
  async function writeTicket(run: repo.ImportRunRow, t: SourceTicket): Promise<number | null> {
    const ws = run.workspace_id;
    return db.tx(async (tx) => {
      const claim = { workspaceId: ws, source: run.source, kind: 'ticket', externalId: t.externalId };
      if (!(await repo.claimItem(tx, { ...claim, runId: run.id }))) return null;
      const r = t.requester;
      const contactId =
        r && (r.email || r.phone)
          ? await findOrCreateContact(tx, ws, { email: r.email, phone: r.phone, name: r.name })
          : null;
      const out = await insertImportedTicket(tx, ws, {
        subject: t.subject,
        status: t.status,
        priority: t.priority,
        channel: t.channel,
        contactId,
        tags: t.tags,
        createdAt: t.createdAt,
        updatedAt: t.updatedAt,
        messages: t.messages,
        source: { name: run.source, id: t.externalId, runId: run.id, ...t.extra },
      });
      await repo.setItemLocalId(tx, { ...claim, localId: out.ticketId });
      return out.messages;
    });
  }

  /** Reads and writes the run's next page. Returns whether more pages follow. */
  async function runPage(runId: number, page: number): Promise<boolean> {
    const run = await repo.findRunById(db, runId);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return false;
    // A stale duplicate of a page already checkpointed (the chain moved on): nothing to do.
    if (run.pages !== page) return false;
    if (run.status === 'queued') await repo.setStatus(db, run.workspace_id, run.id, 'running');
    const source = SOURCES[run.source];
    const result = await source.fetchPage({
      settings: run.settings,
      credentials: run.credentials_enc ? JSON.parse(keys().decrypt(run.credentials_enc)) : null,
      cursor: run.cursor,
      known: (ids) => repo.knownItems(db, run.workspace_id, run.source, 'ticket', ids),
      get: (url, headers) => httpGet(run.workspace_id, url, headers),
      file: () => readFile(run.file_sha256 ?? ''),
    });
    let imported = 0;
    let skipped = 0;
    let messages = 0;
    const errors: { at: string; item: string | null; message: string }[] = [];
    for (const t of result.tickets) {
      if (t.skipReason) {
        skipped++;
        continue;
      }
      try {
        const n = await writeTicket(run, t);
        if (n === null) skipped++;
        else {
          imported++;
          messages += n;
        }
      } catch (err) {
        // Not claimed (its transaction rolled back): a later run of the same source retries it.
        errors.push({ at: new Date().toISOString(), item: t.externalId, message: (err as Error).message });
        log.warn({ err, runId, item: t.externalId }, 'import: ticket not written');
      }
    }
    await db.tx(async (tx) => {
      await repo.checkpoint(tx, run.id, {
        cursor: result.cursor,
        imported,
        skipped,
        messages,
        total: result.total,
        errors,
        done: result.done,
      });
      if (!result.done) await enqueuePage(tx, run.workspace_id, run.id, page + 1);
    });
    return !result.done;
  }

  const enqueuePage = (d: Db, workspaceId: number, runId: number, page: number, suffix = '') =>
    enqueue(
      d,
      IMPORT_PAGE_JOB,
      { runId, page },
      { workspaceId, uniqueKey: `import-page:${runId}:${page}${suffix}`, maxAttempts: PAGE_ATTEMPTS },
    );

  async function getRow(workspaceId: number, id: number) {
    const r = await repo.findRun(db, workspaceId, id);
    if (!r) throw notFound('Import');
    return r;
  }

  return {
    /** Starts a run: checked and stored, its first page queued (or driven by the CLI with `inline`). */
    async create(
      a: { workspaceId: number; agentId: number | null },
      input: CreateImport,
      opts: { inline?: boolean } = {},
    ) {
      let settings: Record<string, unknown> = {};
      let credentialsEnc: string | null = null;
      let fileSha: string | null = null;
      let label: string;
      if (input.source === 'zendesk') {
        try {
          await assertOutboundUrl(input.url, await outboundPolicyOf(db, config, a.workspaceId));
        } catch (err) {
          if (err instanceof OutboundRefusedError) throw badRequest(`Zendesk URL refused: ${err.message}`);
          throw err;
        }
        settings = { url: input.url, pageSize: input.pageSize ?? 100 };
        credentialsEnc = keys().encrypt(JSON.stringify({ email: input.email, token: input.token }));
        label = new URL(input.url).host;
      } else {
        parseImportCsv(input.csv); // a bad file is a 400 before anything is stored
        fileSha = (await files.put(Buffer.from(input.csv, 'utf8'))).sha256;
        label = input.filename || 'CSV file';
      }
      const row = await db.tx(async (tx) => {
        const row = await repo.insertRun(tx, {
          workspaceId: a.workspaceId,
          source: input.source,
          label,
          settings,
          credentialsEnc,
          fileSha256: fileSha,
          startedBy: a.agentId,
        });
        if (!opts.inline) await enqueuePage(tx, a.workspaceId, row.id, 0);
        await recordAudit(tx, {
          workspaceId: a.workspaceId,
          actorAgentId: a.agentId,
          action: 'import.started',
          targetType: 'import_run',
          targetId: row.id,
          data: { source: input.source, label },
        });
        return row;
      });
      return toImportRun(row);
    },

    async list(auth: Auth) {
      return (await repo.listRuns(db, auth.workspaceId, 50)).map(toImportRun);
    },

    async get(auth: Auth, id: number) {
      return toImportRun(await getRow(auth.workspaceId, id));
    },

    async cancel(auth: Auth, id: number) {
      const r = await getRow(auth.workspaceId, id);
      if (r.status !== 'queued' && r.status !== 'running')
        throw new AppError(
          'conflict',
          `This import has already ${r.status === 'done' ? 'finished' : r.status}`,
        );
      await repo.setStatus(db, auth.workspaceId, id, 'cancelled');
      return toImportRun(await getRow(auth.workspaceId, id));
    },

    /** Picks a failed or cancelled run up again from its last checkpoint (nothing is imported twice). */
    async resume(auth: Auth, id: number) {
      const r = await getRow(auth.workspaceId, id);
      if (r.status === 'done') throw new AppError('conflict', 'This import has finished');
      await db.tx(async (tx) => {
        await repo.setStatus(tx, auth.workspaceId, id, 'queued');
        await enqueuePage(tx, auth.workspaceId, id, r.pages, `:resume:${Date.now()}`);
      });
      return toImportRun(await getRow(auth.workspaceId, id));
    },

    /** The job's work: one page; a refusal or the last attempt fails the run with the reason. */
    async onJob(p: { runId: number; page: number }, ctx: { attempt: number; maxAttempts: number }) {
      try {
        await runPage(p.runId, p.page);
      } catch (err) {
        const run = await repo.findRunById(db, p.runId);
        const msg = (err as Error).message;
        const final = err instanceof SourceRefused || ctx.attempt >= ctx.maxAttempts;
        if (run) await repo.setStatus(db, run.workspace_id, run.id, final ? 'failed' : run.status, msg);
        if (err instanceof SourceRefused) throw new PermanentJobError(msg);
        throw err;
      }
    },

    /** The CLI's way: every page in this process, in order, reporting progress after each. */
    async runInline(
      workspaceId: number,
      runId: number,
      onProgress: (r: ImportRun) => void,
    ): Promise<ImportRun> {
      for (;;) {
        const row = await getRow(workspaceId, runId);
        let more: boolean;
        try {
          more = await runPage(runId, row.pages);
        } catch (err) {
          await repo.setStatus(db, workspaceId, runId, 'failed', (err as Error).message);
          throw err;
        }
        const now = toImportRun(await getRow(workspaceId, runId));
        onProgress(now);
        if (!more) return now;
      }
    },
  };
}

export type ImportsService = ReturnType<typeof createImportsService>;
