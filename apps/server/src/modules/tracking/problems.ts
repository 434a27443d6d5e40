import { type Db, sql } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { ordersValue } from '../commerce/index.ts';
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
/** Links tickets not linked yet; how many were new. */
async function link(db: Db, w: number, id: number, tickets: number[], by: string) {
  if (!tickets.length) return 0;
  return (
    await db.query(sql`
    INSERT INTO problem_tickets (problem_id, workspace_id, ticket_id, linked_by)
    SELECT ${id}, ${w}, t, ${by} FROM unnest(${tickets}::bigint[]) AS t ON CONFLICT DO NOTHING RETURNING ticket_id`)
  ).length;
}

async function event(
  db: Db,
  w: number,
  problemId: number,
  e: {
    type: 'created' | 'linked' | 'update' | 'solved';
    count: number;
    text?: string;
    agentId?: number | null;
  },
) {
  await db.query(sql`INSERT INTO problem_events (workspace_id, problem_id, type, count, text, actor_agent_id)
    VALUES (${w}, ${problemId}, ${e.type}, ${e.count}, ${e.text ?? ''}, ${e.agentId ?? null})`);
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
    /**
     * Impact: linked tickets (open ones), the orders behind them (the orders whose delivery checks
     * used these tickets) and their value per currency — the money at stake.
     */
    async impact(auth: Auth, id: number) {
      await load(auth.workspaceId, id);
      const w = auth.workspaceId;
      const ids = await ticketIds(db, w, id);
      let open = 0;
      for (const tid of ids) {
        const t = await o.tickets.findSummary(w, tid);
        if (t && t.status !== 'solved' && t.status !== 'closed') open++;
      }
      const orders = (
        await db.query<{ order_id: number }>(sql`
          SELECT DISTINCT s.order_id FROM problem_tickets p
          JOIN tracking_detections d ON d.workspace_id = p.workspace_id AND d.ticket_id = p.ticket_id
          JOIN shipments s ON s.id = d.shipment_id
          WHERE p.workspace_id = ${w} AND p.problem_id = ${id} AND s.order_id IS NOT NULL`)
      ).map((r) => r.order_id);
      const value = orders.length ? await ordersValue(db, w, orders) : [];
      return {
        tickets: ids.length,
        openTickets: open,
        orders: orders.length,
        atStake: value.map((v) => ({ currency: v.currency, amount: Number(v.total_minor) })),
      };
    },
    /** What happened, oldest first: created, tickets linked (by agents or rules), updates sent, solved. */
    async timeline(auth: Auth, id: number) {
      await load(auth.workspaceId, id);
      const rows = await db.query<{
        type: string;
        count: number;
        text: string;
        created_at: Date;
        actor_agent_id: number | null;
      }>(sql`
        SELECT type, count, text, created_at, actor_agent_id FROM problem_events
        WHERE workspace_id = ${auth.workspaceId} AND problem_id = ${id} ORDER BY id`);
      const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
      return rows.map((r) => ({
        at: r.created_at.toISOString(),
        type: r.type,
        agentId: r.actor_agent_id,
        what:
          r.type === 'created'
            ? `Problem created with ${plural(r.count, 'ticket')}`
            : r.type === 'linked'
              ? `${plural(r.count, 'ticket')} linked ${r.text === 'rule' ? 'by its rules' : 'by an agent'}`
              : r.type === 'update'
                ? `Update sent: ${plural(r.count, 'customer')} told`
                : `Solved: ${plural(r.count, 'customer')} told`,
        text: r.type === 'update' || r.type === 'solved' ? r.text : '',
      }));
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
        const n = await link(tx, auth.workspaceId, row!.id, input.ticketIds ?? [], 'agent');
        await event(tx, auth.workspaceId, row!.id, { type: 'created', count: n, agentId: auth.agentId });
        return row!.id;
      });
      return this.get(auth, id);
    },
    async link(auth: Auth, id: number, ids: number[]) {
      await load(auth.workspaceId, id);
      await checkTickets(auth.workspaceId, ids);
      const n = await link(db, auth.workspaceId, id, ids, 'agent');
      if (n)
        await event(db, auth.workspaceId, id, {
          type: 'linked',
          count: n,
          text: 'agent',
          agentId: auth.agentId,
        });
      return this.get(auth, id);
    },
    /** Answers every linked customer with one templated update (or previews who would be told). */
    async notify(auth: Auth, id: number, input: { text: string; dryRun?: boolean }) {
      const p = await load(auth.workspaceId, id);
      const n = p.updates_sent + 1;
      const items = await tellAll(auth, p, input.text, `update:${n}`, !!input.dryRun);
      if (!input.dryRun) {
        await db.query(sql`UPDATE problems SET updates_sent = ${n} WHERE id = ${id}`);
        const told = items.filter((i) => i.status !== 'skipped').length;
        await event(db, auth.workspaceId, id, {
          type: 'update',
          count: told,
          text: input.text,
          agentId: auth.agentId,
        });
      }
      return { items };
    },
    /** Solved: every linked customer is told; their tickets are solved when `solveTickets`. */
    async solve(auth: Auth, id: number, input: { text: string; solveTickets: boolean }) {
      const p = await load(auth.workspaceId, id);
      if (p.status === 'solved') throw new AppError('conflict', 'This problem is already solved');
      const items = await tellAll(auth, p, input.text, 'solved', false);
      await db.query(sql`UPDATE problems SET status = 'solved', solved_at = now() WHERE id = ${id}`);
      await event(db, auth.workspaceId, id, {
        type: 'solved',
        count: items.filter((i) => i.status !== 'skipped').length,
        text: input.text,
        agentId: auth.agentId,
      });
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
          if (await link(db, workspaceId, p.id, [ticketId], 'rule'))
            await event(db, workspaceId, p.id, { type: 'linked', count: 1, text: 'rule' });
    },
  };
}
export type ProblemsService = ReturnType<typeof createProblemsService>;
