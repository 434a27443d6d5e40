import type { AutomationInput, UpdateTicket } from '@shopdesk/contracts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { randomToken } from '../../platform/security/crypto.ts';
import { agentAndTeamNames, agentIdsByRole, existingAgentIds } from '../agents/index.ts';
import { businessMinutesBetween } from '../sla/index.ts';
import {
  activeTicketFacts,
  type FactTicketRow,
  type SystemActor,
  ticketFacts,
  ticketFactsAfter,
} from '../tickets/index.ts';
import type { AutomationContext } from './automation-context.ts';
import * as repo from './automations.repository.ts';
import { type ConditionDef, type Facts, matches, renderTemplate } from './conditions.ts';

/** An automation chain longer than this is a loop however it is shaped. */
const MAX_CHAIN = 5;
/** Runaway guard: one automation may act on one ticket at most this often per hour. */
const MAX_RUNS_PER_HOUR = 10;
/** Preview (an interactive test run) looks at this many open tickets at most. */
const SCAN_LIMIT = 5000;
/** The scheduled scan reads open tickets this many at a time ... */
const SCAN_PAGE = 500;
/** ... and stops after the page that passes this much time; the next run resumes where it stopped. */
const SCAN_BUDGET_MS = 10 * 60_000;
/** A scheduled automation that keeps failing on a ticket is given up after this many tries per episode. */
const MAX_SCHEDULED_ATTEMPTS = 3;
const OPEN = new Set(['new', 'open', 'pending', 'on-hold']);

/** The urgency fact costs a query: only conditions that name it pay for it. */
const usesUrgency = (c: { all: ConditionDef[]; any: ConditionDef[] }) =>
  c.all.some((x) => x.field === 'urgency') || c.any.some((x) => x.field === 'urgency');
type Names = { agents: Map<number, string>; teams: Map<number, string> };

/** What an action did, in a support agent's words, with names for agent and team ids (the run log). */
const describe = (a: repo.AutomationRow['actions'][number], names: Names): string => {
  const agent = (id: unknown) => names.agents.get(Number(id)) ?? `agent #${id}`;
  switch (a.type) {
    case 'set_status':
      return `Set status to ${String(a.status).replace('-', ' ')}`;
    case 'set_priority':
      return `Set priority to ${a.priority}`;
    case 'add_tags':
      return `Added tag${(a.tags as string[]).length > 1 ? 's' : ''} ${(a.tags as string[]).join(', ')}`;
    case 'remove_tags':
      return `Removed tag${(a.tags as string[]).length > 1 ? 's' : ''} ${(a.tags as string[]).join(', ')}`;
    case 'set_field':
      return a.value === null || a.value === '' ? `Cleared ${a.key}` : `Set ${a.key} to ${String(a.value)}`;
    case 'assign_agent':
      return a.agentId == null ? 'Unassigned the ticket' : `Assigned to ${agent(a.agentId)}`;
    case 'assign_team':
      return a.teamId == null
        ? 'Removed the team'
        : `Moved to team ${names.teams.get(Number(a.teamId)) ?? `#${a.teamId}`}`;
    case 'reply':
      return 'Replied to the customer from its template';
    case 'add_note':
      return 'Added an internal note';
    case 'notify':
      return a.to === 'assignee'
        ? 'Notified the assignee'
        : a.to === 'leads'
          ? 'Notified leads and admins'
          : `Notified ${((a.agentIds as number[] | undefined) ?? []).map(agent).join(', ') || 'agents'}`;
    case 'webhook':
      return `Called the webhook at ${new URL(String(a.url)).host}`;
    default:
      return a.type;
  }
};

/**
 * Running automations: triggers on each event (in order, with loop and runaway guards), the scheduled
 * scan, and the preview of which tickets would match.
 */
export function createAutomationEngine(c: AutomationContext) {
  const { tickets, sla, db, log, triggers } = c;

  async function facts(
    workspaceId: number,
    t: FactTicketRow,
    conditions: { all: ConditionDef[]; any: ConditionDef[] },
    e?: DomainEvent,
    now = Date.now(),
  ): Promise<Facts> {
    const cal = await sla.calendarFor(workspaceId, t.team_id);
    const f: Facts = {
      status: t.status,
      priority: t.priority,
      channel: t.channel,
      tags: t.tags,
      subject: t.subject,
      assigneeId: t.assignee_id,
      teamId: t.team_id,
      message: t.last_inbound ?? '',
      hoursSinceCreated: (now - t.created_at.getTime()) / 3_600_000,
      hoursInStatus: (now - t.status_since.getTime()) / 3_600_000,
      businessHoursInStatus: businessMinutesBetween(cal, t.status_since, new Date(now)) / 60,
      'sla.metric': (e?.data as { metric?: string } | undefined)?.metric ?? null,
      urgency: usesUrgency(conditions) ? await repo.latestUrgency(db, t.id) : null,
    };
    for (const [k, v] of Object.entries(t.custom_fields)) f[`custom.${k}`] = v;
    return f;
  }

  /** Names of the agents and teams an automation's actions mention (for the run log's words). */
  async function namesOf(workspaceId: number, actions: repo.AutomationRow['actions']): Promise<Names> {
    const agentIds = actions.flatMap((x) =>
      x.type === 'assign_agent' && x.agentId != null
        ? [Number(x.agentId)]
        : x.type === 'notify'
          ? ((x.agentIds as number[] | undefined) ?? [])
          : [],
    );
    const teamIds = actions.flatMap((x) =>
      x.type === 'assign_team' && x.teamId != null ? [Number(x.teamId)] : [],
    );
    if (!agentIds.length && !teamIds.length) return { agents: new Map(), teams: new Map() };
    return agentAndTeamNames(db, workspaceId, agentIds, teamIds);
  }

  /** Runs one automation's actions on one ticket in one transaction; returns the events to publish. */
  async function execute(
    workspaceId: number,
    a: repo.AutomationRow,
    t: FactTicketRow,
    trigger: string,
    chain: number[],
    sourceEvent?: DomainEvent,
  ) {
    const via: SystemActor = { kind: 'automation', id: a.id, name: a.name, chain: [...chain, a.id] };
    const changes: Omit<UpdateTicket, 'version'> = {};
    const addTags: string[] = [];
    const removeTags: string[] = [];
    const fields: Record<string, string | number | boolean | null> = {};
    const vars = {
      'ticket.id': t.id,
      'ticket.subject': t.subject,
      'ticket.status': t.status,
      'contact.name': t.contact_name ?? 'there',
      'contact.email': t.contact_email,
      'sla.metric': (sourceEvent?.data as { metric?: string } | undefined)?.metric ?? '',
    };
    for (const act of a.actions) {
      if (act.type === 'set_status') changes.status = act.status as UpdateTicket['status'];
      if (act.type === 'set_priority') changes.priority = act.priority as UpdateTicket['priority'];
      if (act.type === 'add_tags') addTags.push(...(act.tags as string[]));
      if (act.type === 'remove_tags') removeTags.push(...(act.tags as string[]));
      if (act.type === 'set_field') fields[String(act.key)] = act.value as string | number | boolean | null;
      if (act.type === 'assign_agent') changes.assigneeId = act.agentId as number | null;
      if (act.type === 'assign_team') changes.teamId = act.teamId as number | null;
    }
    if (addTags.length) changes.addTags = addTags;
    if (removeTags.length) changes.removeTags = removeTags;
    if (Object.keys(fields).length) changes.customFields = fields;
    const names = await namesOf(workspaceId, a.actions);

    const events = await db.tx(async (tx) => {
      const out: DomainEvent[] = [];
      if (Object.keys(changes).length) {
        const r = await tickets.applySystemChanges(tx, workspaceId, t.id, changes, via);
        if (r) out.push(...r.events);
      }
      const run = await repo.insertRun(tx, {
        workspaceId,
        automationId: a.id,
        automationName: a.name,
        ticketId: t.id,
        trigger,
        outcome: 'applied',
        reason: null,
        actions: a.actions.map((x) => describe(x, names)),
      });
      for (const [i, act] of a.actions.entries()) {
        if (act.type === 'reply')
          out.push(
            ...(await tickets.addSystemReply(
              tx,
              workspaceId,
              t.id,
              renderTemplate(String(act.body), vars),
              via,
            )),
          );
        if (act.type === 'add_note')
          out.push(
            ...(await tickets.addSystemNote(
              tx,
              workspaceId,
              t.id,
              renderTemplate(String(act.body), vars),
              via,
            )),
          );
        if (act.type === 'notify') {
          let ids: number[] = [];
          if (act.to === 'assignee') ids = t.assignee_id ? [t.assignee_id] : [];
          if (act.to === 'leads') ids = await agentIdsByRole(tx, workspaceId, ['lead', 'admin']);
          if (act.to === 'agents') ids = await existingAgentIds(tx, workspaceId, act.agentIds as number[]);
          if (ids.length)
            out.push(
              ...(await tickets.addSystemNote(
                tx,
                workspaceId,
                t.id,
                `🔔 ${a.name}: ${renderTemplate(String(act.body), vars)}`,
                via,
                ids,
              )),
            );
        }
        if (act.type === 'webhook')
          await enqueue(
            tx,
            'automation-webhook',
            {
              workspaceId,
              url: act.url,
              // webhook-id: the same on every retry of this delivery, so the receiver can deduplicate.
              messageId: `msg_${randomToken(18)}`,
              body: {
                automation: { id: a.id, name: a.name },
                trigger,
                ticket: vars,
                sentAt: new Date().toISOString(),
              },
            },
            { workspaceId, uniqueKey: `automation-webhook:${run!.id}:${i}`, maxAttempts: 6 },
          );
      }
      return out;
    });
    await tickets.publishSystemEvents(events);
  }

  async function logStopped(
    workspaceId: number,
    a: repo.AutomationRow,
    ticketId: number,
    trigger: string,
    reason: string,
  ) {
    log.warn({ automationId: a.id, ticketId, reason }, 'automation stopped');
    await repo.insertRun(db, {
      workspaceId,
      automationId: a.id,
      automationName: a.name,
      ticketId,
      trigger,
      outcome: 'loop_stopped',
      reason,
      actions: [],
    });
  }

  /**
   * The scheduled automations of a workspace on one ticket, in order. A failed run is logged on the ticket
   * and its claim released so the next scan retries, up to MAX_SCHEDULED_ATTEMPTS per status episode.
   */
  async function scheduledOn(
    workspaceId: number,
    autos: repo.AutomationRow[],
    first: FactTicketRow,
    now: number,
  ) {
    let t: FactTicketRow | null = first;
    let acted = 0;
    for (const a of autos) {
      if (!t) break;
      if (!matches(a.conditions, await facts(workspaceId, t, a.conditions, undefined, now))) continue;
      const episode = t.status_since.toISOString();
      if (!(await repo.claimMark(db, workspaceId, a.id, t.id, episode))) continue;
      try {
        await execute(workspaceId, a, t, 'schedule', []);
        acted++;
      } catch (err) {
        const attempt = (await repo.failedScheduledRuns(db, a.id, t.id, t.status_since)) + 1;
        const retry = attempt < MAX_SCHEDULED_ATTEMPTS;
        const error = err instanceof Error ? err.message : String(err);
        log.warn({ err, automationId: a.id, ticketId: t.id, attempt }, 'scheduled automation failed');
        await repo.insertRun(db, {
          workspaceId,
          automationId: a.id,
          automationName: a.name,
          ticketId: t.id,
          trigger: 'schedule',
          outcome: 'failed',
          reason: `${error} (attempt ${attempt} of ${MAX_SCHEDULED_ATTEMPTS}${retry ? ', retried by the next scan' : ', not retried'})`,
          actions: [],
        });
        if (retry) await repo.releaseMark(db, a.id, t.id, episode);
        continue;
      }
      // The next automation sees the ticket as this one left it (and nothing once it left the open set).
      const fresh = await ticketFacts(db, workspaceId, t.id);
      t = fresh && !fresh.merged_into_id && OPEN.has(fresh.status) ? fresh : null;
    }
    return acted;
  }
  return {
    /** Runs the workspace's triggers for one event, in order; each sees the ticket as the previous left it. */
    async onEvent(e: DomainEvent) {
      if (!e.ticketId) return;
      const autos = (await triggers.get(e.workspaceId)).filter((a) => a.events.includes(e.name));
      if (!autos.length) return;
      const via = (e.data as { via?: SystemActor } | undefined)?.via;
      const chain = via?.kind === 'automation' ? (via.chain ?? []) : [];
      for (const a of autos) {
        const t = await ticketFacts(db, e.workspaceId, e.ticketId);
        if (!t || t.merged_into_id) return;
        if (!matches(a.conditions, await facts(e.workspaceId, t, a.conditions, e))) continue;
        if (chain.includes(a.id)) {
          const names = [...chain, a.id].map((id) => `#${id}`).join(' → ');
          await logStopped(
            e.workspaceId,
            a,
            t.id,
            e.name,
            `Loop: "${a.name}" already acted in this chain (${names})`,
          );
          continue;
        }
        if (chain.length >= MAX_CHAIN) {
          await logStopped(
            e.workspaceId,
            a,
            t.id,
            e.name,
            `Loop: chain of ${chain.length} automations is too long`,
          );
          continue;
        }
        if ((await repo.recentRuns(db, a.id, t.id)) >= MAX_RUNS_PER_HOUR) {
          await logStopped(
            e.workspaceId,
            a,
            t.id,
            e.name,
            `Runaway: acted ${MAX_RUNS_PER_HOUR} times on this ticket within an hour`,
          );
          continue;
        }
        try {
          await execute(e.workspaceId, a, t, e.name, chain, e);
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          await repo.insertRun(db, {
            workspaceId: e.workspaceId,
            automationId: a.id,
            automationName: a.name,
            ticketId: t.id,
            trigger: e.name,
            outcome: 'failed',
            reason,
            actions: [],
          });
        }
      }
    },

    /**
     * The scheduled scan: each scheduled automation acts once per ticket and status episode. The mark
     * insert decides who acts, so overlapping scans on several nodes still act once. Open tickets are read
     * a page at a time in id order; when the time budget runs out the place is kept per workspace and the
     * next run resumes there, so a large workspace is covered over several runs instead of cut off.
     */
    async scan(o: ScanOptions = {}): Promise<{ acted: number; complete: boolean }> {
      const started = Date.now();
      const now = o.now ?? started;
      const budget = o.budgetMs ?? SCAN_BUDGET_MS;
      const pageSize = o.pageSize ?? SCAN_PAGE;
      const byWorkspace = new Map<number, repo.AutomationRow[]>();
      for (const a of await repo.activeScheduled(db, o.workspaceId))
        byWorkspace.set(a.workspace_id, [...(byWorkspace.get(a.workspace_id) ?? []), a]);
      let acted = 0;
      for (const [ws, autos] of byWorkspace) {
        let after = await repo.scanCursor(db, ws);
        for (;;) {
          const page = await ticketFactsAfter(db, ws, after, pageSize);
          for (const t of page) acted += await scheduledOn(ws, autos, t, now);
          if (page.length < pageSize) {
            // The end of the workspace's tickets: the next run starts a new pass.
            if (after !== 0) await repo.setScanCursor(db, ws, 0);
            break;
          }
          after = page[page.length - 1]!.id;
          if (Date.now() - started >= budget) {
            await repo.setScanCursor(db, ws, after);
            return { acted, complete: false };
          }
        }
      }
      return { acted, complete: true };
    },

    /** Which open tickets would match now (nothing is changed). */
    async preview(auth: Pick<Auth, 'workspaceId'>, input: AutomationInput) {
      const rows = await activeTicketFacts(db, auth.workspaceId, SCAN_LIMIT);
      const out = [];
      for (const t of rows)
        if (matches(input.conditions, await facts(auth.workspaceId, t, input.conditions)))
          out.push({ ticketId: t.id, subject: t.subject, status: t.status as 'open' });
      return { scanned: rows.length, matches: out.slice(0, 200) };
    },
  };
}

export interface ScanOptions {
  /** Only this workspace (an admin's "run now"); every workspace when absent (the hourly job). */
  workspaceId?: number;
  /** The time conditions are evaluated at (tests). */
  now?: number;
  budgetMs?: number;
  pageSize?: number;
}
