import { type Db, sql } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import type { NoticeOutcome, NoticesService } from '../notices/index.ts';
import type { TicketsService } from '../tickets/index.ts';

/**
 * Problems (incident linking): one cause behind many tickets — a carrier outage, a defective batch, a
 * site bug. Agents link tickets (or rules link new ones), answer every linked customer at once, and
 * solving the problem tells them all and solves their tickets if asked.
 */
interface ProblemRow {
  id: number;
  workspace_id: number;
  title: string;
  cause: string;
  status: 'open' | 'solved';
  rules: { keywords?: string[] };
  updates_sent: number;
  created_at: Date;
  solved_at: Date | null;
  tickets?: number;
  open_tickets?: number;
}

const list = (db: Db, w: number) =>
  db.query<ProblemRow>(sql`
    SELECT p.*, (SELECT count(*)::int FROM problem_tickets t WHERE t.problem_id = p.id) AS tickets
    FROM problems p WHERE p.workspace_id = ${w} ORDER BY p.status, p.id DESC LIMIT 200`);
const one = (db: Db, w: number, id: number, lock = false) =>
  db.one<ProblemRow>(
    sql`SELECT * FROM problems WHERE workspace_id = ${w} AND id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`,
  );
const ticketIds = async (db: Db, w: number, id: number) =>
  (
    await db.query<{ ticket_id: number }>(sql`
    SELECT ticket_id FROM problem_tickets WHERE workspace_id = ${w} AND problem_id = ${id} ORDER BY ticket_id`)
  ).map((r) => r.ticket_id);
async function link(db: Db, w: number, id: number, tickets: number[], by: string) {
  await db.query(sql`
    INSERT INTO problem_tickets (problem_id, workspace_id, ticket_id, linked_by)
    SELECT ${id}, ${w}, t, ${by} FROM unnest(${tickets}::bigint[]) AS t ON CONFLICT DO NOTHING`);
}

export function createProblemsService(
  deps: Deps,
  o: {
    tickets: Pick<TicketsService, 'findSummary' | 'bulkUpdate'>;
    notices: Pick<NoticesService, 'send' | 'preview' | 'registerKind'>;
  },
) {
  const { db } = deps;
  o.notices.registerKind({
    kind: 'problem.update',
    description: 'Updates about a known problem that affects your order or request',
    variables: ['problem.title', 'update.text'],
    templates: {
      en: {
        subject: 'Update: {{problem.title}}',
        body: 'Hi {{customer.first_name | there}},\n\n{{update.text}}\n\n{{shop.name}}',
      },
      de: {
        subject: 'Neuigkeiten: {{problem.title}}',
        body: 'Hallo {{customer.first_name | zusammen}},\n\n{{update.text}}\n\n{{shop.name}}',
      },
    },
  });
  const api = (p: ProblemRow, tickets?: number[]) => ({
    id: p.id,
    title: p.title,
    cause: p.cause,
    status: p.status,
    keywords: p.rules.keywords ?? [],
    updatesSent: p.updates_sent,
    ticketCount: tickets?.length ?? p.tickets ?? 0,
    createdAt: p.created_at.toISOString(),
    solvedAt: p.solved_at?.toISOString() ?? null,
    ...(tickets ? { ticketIds: tickets } : {}),
  });
  async function load(w: number, id: number) {
    const p = await one(db, w, id);
    if (!p) throw notFound('Problem');
    return p;
  }
  async function checkTickets(w: number, ids: number[]) {
    for (const id of ids)
      if (!(await o.tickets.findSummary(w, id)))
        throw new AppError('validation_failed', `Unknown ticket ${id}`);
  }
  async function tellAll(
    auth: Auth,
    p: ProblemRow,
    text: string,
    key: string,
    dryRun: boolean,
  ): Promise<NoticeOutcome[]> {
    const ids = await ticketIds(db, auth.workspaceId, p.id);
    const out: NoticeOutcome[] = [];
    for (const ticketId of ids) {
      const req = {
        workspaceId: auth.workspaceId,
        kind: 'problem.update',
        ticketId,
        dedupeKey: `problem:${p.id}:${key}:${ticketId}`,
        values: { 'problem.title': p.title, 'update.text': text },
        agentId: auth.agentId,
        // Customers hit by a known problem are waiting for this: not held for quiet hours.
        ignoreQuietHours: true,
      };
      out.push(await (dryRun ? o.notices.preview(req) : o.notices.send(req)));
    }
    return out;
  }

  return {
    list: async (auth: Auth) => (await list(db, auth.workspaceId)).map((p) => api(p)),
    async get(auth: Auth, id: number) {
      return api(await load(auth.workspaceId, id), await ticketIds(db, auth.workspaceId, id));
    },
    async create(
      auth: Auth,
      input: { title: string; cause?: string; ticketIds?: number[]; keywords?: string[] },
    ) {
      await checkTickets(auth.workspaceId, input.ticketIds ?? []);
      const id = await db.tx(async (tx) => {
        const row = await tx.one<{ id: number }>(sql`
          INSERT INTO problems (workspace_id, title, cause, rules, created_by)
          VALUES (${auth.workspaceId}, ${input.title}, ${input.cause ?? ''}, ${JSON.stringify({ keywords: input.keywords ?? [] })}::jsonb, ${auth.agentId})
          RETURNING id`);
        await link(tx, auth.workspaceId, row!.id, input.ticketIds ?? [], 'agent');
        return row!.id;
      });
      return this.get(auth, id);
    },
    async link(auth: Auth, id: number, ids: number[]) {
      await load(auth.workspaceId, id);
      await checkTickets(auth.workspaceId, ids);
      await link(db, auth.workspaceId, id, ids, 'agent');
      return this.get(auth, id);
    },
    /** Answers every linked customer with one templated update (or previews who would be told). */
    async notify(auth: Auth, id: number, input: { text: string; dryRun?: boolean }) {
      const p = await load(auth.workspaceId, id);
      const n = p.updates_sent + 1;
      const items = await tellAll(auth, p, input.text, `update:${n}`, !!input.dryRun);
      if (!input.dryRun) await db.query(sql`UPDATE problems SET updates_sent = ${n} WHERE id = ${id}`);
      return { items };
    },
    /** Solved: every linked customer is told; their tickets are solved when `solveTickets`. */
    async solve(auth: Auth, id: number, input: { text: string; solveTickets: boolean }) {
      const p = await load(auth.workspaceId, id);
      if (p.status === 'solved') throw new AppError('conflict', 'This problem is already solved');
      const items = await tellAll(auth, p, input.text, 'solved', false);
      await db.query(sql`UPDATE problems SET status = 'solved', solved_at = now() WHERE id = ${id}`);
      const ids = await ticketIds(db, auth.workspaceId, id);
      if (input.solveTickets && ids.length) await o.tickets.bulkUpdate(auth, ids, { status: 'solved' });
      return { ...api({ ...p, status: 'solved', solved_at: new Date() }, ids), items };
    },
    /** Links a new ticket to every open problem whose keywords its subject names. */
    async autoLink(workspaceId: number, ticketId: number) {
      const t = await o.tickets.findSummary(workspaceId, ticketId);
      if (!t) return;
      const subject = t.subject.toLowerCase();
      const open = await db.query<ProblemRow>(
        sql`SELECT * FROM problems WHERE workspace_id = ${workspaceId} AND status = 'open'`,
      );
      for (const p of open)
        if ((p.rules.keywords ?? []).some((k) => k && subject.includes(k.toLowerCase())))
          await link(db, workspaceId, p.id, [ticketId], 'rule');
    },
  };
}
export type ProblemsService = ReturnType<typeof createProblemsService>;
