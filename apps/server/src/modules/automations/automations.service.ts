import { randomBytes } from 'node:crypto';
import type { Automation, AutomationInput, UpdateTicket, WebhookEndpoint } from '@shopdesk/contracts';
import { Webhook } from 'standardwebhooks';
import { batcher } from '../../platform/batch.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { createConfigCache } from '../../platform/events/config-cache.ts';
import {
  assertOutboundUrl,
  type OutboundPolicy,
  OutboundRefusedError,
  outboundFetch,
} from '../../platform/http/outbound.ts';
import type { Auth } from '../../platform/http/router.ts';
import { enqueue, PermanentJobError } from '../../platform/jobs/queue.ts';
import { randomToken } from '../../platform/security/crypto.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { agentAndTeamNames, agentIdsByRole, existingAgentIds } from '../agents/index.ts';
import { businessMinutesBetween, type SlaService } from '../sla/index.ts';
import {
  activeTicketFacts,
  type FactTicketRow,
  messageTexts,
  type SystemActor,
  type TicketsService,
  ticketExists,
  ticketFacts,
  ticketFactsAfter,
} from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import * as repo from './automations.repository.ts';
import { type ConditionDef, type Facts, matches, renderTemplate } from './conditions.ts';
import { scoreUrgency } from './urgency.ts';

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
const PRIORITY_RANK = ['low', 'normal', 'high', 'urgent'];

/** The urgency fact costs a query: only conditions that name it pay for it. */
const usesUrgency = (c: { all: ConditionDef[]; any: ConditionDef[] }) =>
  c.all.some((x) => x.field === 'urgency') || c.any.some((x) => x.field === 'urgency');

function toAutomation(r: repo.AutomationRow): Automation {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    events: r.events as Automation['events'],
    conditions: r.conditions as Automation['conditions'],
    actions: r.actions as Automation['actions'],
    active: r.active,
    position: r.position,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

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

export function createAutomationsService(deps: Deps, tickets: TicketsService, sla: SlaService) {
  const { db, log } = deps;
  const keys = () => keysOf(deps);
  const policyOf = (workspaceId: number) => outboundPolicyOf(db, deps.config, workspaceId);
  // The inbound messages a job tick lands are scored together: one read and one insert for the lot.
  const messageText = batcher(async (keys: { workspaceId: number; messageId: number }[]) => {
    const rows = new Map((await messageTexts(db, keys)).map((r) => [r.id, r]));
    return keys.map((k) => rows.get(k.messageId));
  });
  const storeUrgency = batcher(async (us: Parameters<typeof repo.insertUrgencies>[1]) => {
    const fresh = new Set((await repo.insertUrgencies(db, us)).map((r) => Number(r.message_id)));
    // The same message twice in one batch (a replay beside the live event) acts once.
    return us.map((u) => fresh.delete(u.messageId));
  });
  // Loaded on every ticket and message event, edited rarely; filtered by event name in memory.
  const triggers = createConfigCache({
    bus: deps.bus,
    kind: 'automations.triggers-changed',
    load: (workspaceId) => repo.activeTriggers(db, workspaceId),
  });

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

  const svc = {
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

    /** Urgency detection on an inbound message: raise priority and tag, with the reasons on the timeline. */
    async scoreMessage(workspaceId: number, messageId: number) {
      const m = await messageText({ workspaceId, messageId });
      if (m?.kind !== 'inbound') return;
      const r = scoreUrgency(m.body_text);
      const stored = await storeUrgency({ workspaceId, ticketId: m.ticket_id, messageId, ...r });
      if (!stored || (r.level !== 'high' && r.level !== 'urgent')) return;
      const t = await ticketFacts(db, workspaceId, m.ticket_id);
      if (!t) return;
      const target = r.level === 'urgent' ? 'urgent' : 'high';
      const raise = PRIORITY_RANK.indexOf(target) > PRIORITY_RANK.indexOf(t.priority);
      const via: SystemActor = { kind: 'urgency', name: 'Urgency detection' };
      const events = await db.tx(async (tx) => {
        const out: DomainEvent[] = [];
        const res = await tickets.applySystemChanges(
          tx,
          workspaceId,
          t.id,
          { ...(raise ? { priority: target } : {}), addTags: ['urgent-language'] },
          via,
        );
        if (res) out.push(...res.events);
        const why = r.reasons.filter((x) => x.weight > 0).map((x) => `${x.phrase} (+${x.weight})`);
        out.push(
          ...(await tickets.addSystemNote(
            tx,
            workspaceId,
            t.id,
            `Urgency ${r.level} (score ${r.score}): ${why.join(', ')}.${raise ? ` Priority raised to ${target}.` : ''}`,
            via,
          )),
        );
        return out;
      });
      await tickets.publishSystemEvents(events);
    },

    async urgency(auth: Pick<Auth, 'workspaceId'>, ticketId: number) {
      if (!(await ticketExists(db, auth.workspaceId, ticketId))) throw notFound('Ticket');
      return (await repo.listUrgency(db, auth.workspaceId, ticketId)).map((u) => ({
        messageId: u.message_id,
        score: u.score,
        level: u.level as 'none',
        reasons: u.reasons,
        createdAt: u.created_at.toISOString(),
      }));
    },

    async runs(
      auth: Pick<Auth, 'workspaceId'>,
      f: { ticketId?: number; automationId?: number },
      limit = 100,
    ) {
      if (f.ticketId && !(await ticketExists(db, auth.workspaceId, f.ticketId))) throw notFound('Ticket');
      return (await repo.listRuns(db, auth.workspaceId, f, limit)).map((r) => ({
        id: r.id,
        automationId: r.automation_id,
        automationName: r.automation_name,
        ticketId: r.ticket_id,
        trigger: r.trigger,
        outcome: r.outcome,
        reason: r.reason,
        actions: r.actions,
        createdAt: r.created_at.toISOString(),
      }));
    },

    list: async (auth: Pick<Auth, 'workspaceId'>) =>
      (await repo.listAutomations(db, auth.workspaceId)).map(toAutomation),
    async get(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const r = await repo.findAutomation(db, auth.workspaceId, id);
      if (!r) throw notFound('Automation');
      return toAutomation(r);
    },
    async create(auth: Auth, input: AutomationInput) {
      await checkRefs(db, auth.workspaceId, input);
      await checkWebhooks(input, await policyOf(auth.workspaceId));
      const row = await repo.insertAutomation(db, auth.workspaceId, input);
      await triggers.changed(auth.workspaceId);
      return withSecrets(toAutomation(row!), await ensureEndpoints(auth.workspaceId, input));
    },
    async update(auth: Auth, id: number, input: AutomationInput) {
      await checkRefs(db, auth.workspaceId, input);
      await checkWebhooks(input, await policyOf(auth.workspaceId));
      const r = await repo.updateAutomation(db, auth.workspaceId, id, input);
      if (!r) throw notFound('Automation');
      await triggers.changed(auth.workspaceId);
      return withSecrets(toAutomation(r), await ensureEndpoints(auth.workspaceId, input));
    },
    /** Sets the run order: `ids` lists every automation of the workspace exactly once. */
    async reorder(auth: Auth, ids: number[]) {
      const items = await db.tx(async (tx) => {
        const all = await repo.workspaceAutomationIds(tx, auth.workspaceId);
        const unique = new Set(ids);
        if (unique.size !== ids.length || ids.length !== all.length || all.some((id) => !unique.has(id)))
          throw new AppError('validation_failed', 'List every automation of the workspace exactly once', [
            { path: 'body.ids', message: 'must be a permutation of the automation ids' },
          ]);
        await repo.setPositions(tx, auth.workspaceId, ids);
        return (await repo.listAutomations(tx, auth.workspaceId)).map(toAutomation);
      });
      await triggers.changed(auth.workspaceId);
      return items;
    },
    async remove(auth: Auth, id: number) {
      if (!(await repo.deleteAutomation(db, auth.workspaceId, id)).length) throw notFound('Automation');
      await triggers.changed(auth.workspaceId);
    },

    listWebhookEndpoints: async (auth: Pick<Auth, 'workspaceId'>) =>
      (await repo.listWebhookEndpoints(db, auth.workspaceId)).map(toEndpoint),
    /** Registers a webhook URL ahead of using it; the secret is in the answer, and only there. */
    async createWebhookEndpoint(auth: Auth, url: string) {
      await checkWebhooks(
        { actions: [{ type: 'webhook', url }] } as AutomationInput,
        await policyOf(auth.workspaceId),
      );
      const secret = newWebhookSecret();
      const row = await repo.insertWebhookEndpoint(db, auth.workspaceId, url, keys().encrypt(secret));
      if (!row) throw new AppError('conflict', 'This URL has a webhook endpoint already; rotate its secret');
      return { ...toEndpoint(row), secret };
    },
    /**
     * A new secret, shown once. The previous one keeps signing too (a second signature in
     * webhook-signature) for WEBHOOK_SECRET_GRACE_HOURS, so the receiver can switch without dropping events.
     */
    async rotateWebhookSecret(auth: Auth, id: number) {
      const secret = newWebhookSecret();
      const graceUntil = new Date(Date.now() + WEBHOOK_SECRET_GRACE_HOURS * 3600_000);
      const row = await repo.rotateWebhookEndpoint(
        db,
        auth.workspaceId,
        id,
        keys().encrypt(secret),
        graceUntil,
      );
      if (!row) throw notFound('Webhook endpoint');
      return { ...toEndpoint(row), secret };
    },
    async deleteWebhookEndpoint(auth: Auth, id: number) {
      if (!(await repo.deleteWebhookEndpoint(db, auth.workspaceId, id)).length)
        throw notFound('Webhook endpoint');
    },

    /**
     * Job: POSTs the payload signed the Standard Webhooks way (webhook-id, webhook-timestamp,
     * webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">) with the endpoint's own secret.
     */
    async deliverWebhook(p: { workspaceId: number; url: string; body: unknown; messageId?: string }) {
      const text = JSON.stringify(p.body);
      // An automation saved before endpoints had secrets gets its endpoint now; the admin rotates the
      // secret to see it (listed under the automations' webhook endpoints).
      await ensureEndpoints(p.workspaceId, { actions: [{ type: 'webhook', url: p.url }] } as AutomationInput);
      const ep = await repo.findWebhookEndpoint(db, p.workspaceId, p.url);
      if (!ep) throw new PermanentJobError('the webhook endpoint was deleted');
      const id = p.messageId ?? `msg_${randomToken(18)}`;
      const at = new Date();
      const secrets = [keys().decrypt(ep.secret_enc)];
      if (ep.previous_secret_enc && ep.previous_valid_until && ep.previous_valid_until > at)
        secrets.push(keys().decrypt(ep.previous_secret_enc));
      const signature = secrets.map((s) => new Webhook(s).sign(id, at, text)).join(' ');
      // One attempt per job run (the job queue retries with backoff); a 3xx is not followed.
      const res = await outboundFetch(p.url, await policyOf(p.workspaceId), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: text,
        timeoutMs: 10_000,
        maxRedirects: 0,
        maxBytes: 64 * 1024,
      }).catch((err: unknown) => {
        // The host now resolves to a refused address: retrying would be refused again.
        throw err instanceof OutboundRefusedError
          ? new PermanentJobError(`webhook refused: ${err.message}`)
          : err;
      });
      if (res.status >= 200 && res.status < 300) return;
      // Redirects are not followed and a 4xx will not change on retry; 408, 429 and 5xx may.
      const retry = res.status >= 500 || res.status === 408 || res.status === 429;
      const message = `webhook answered ${res.status}`;
      throw retry ? new Error(message) : new PermanentJobError(message);
    },
  };
  return svc;

  /** Creates the endpoints of new webhook URLs; returns their secrets (shown once, in the save's answer). */
  async function ensureEndpoints(workspaceId: number, input: Pick<AutomationInput, 'actions'>) {
    const urls = [...new Set(input.actions.flatMap((a) => (a.type === 'webhook' ? [a.url] : [])))];
    const created: { url: string; secret: string }[] = [];
    for (const url of urls) {
      if (await repo.findWebhookEndpoint(db, workspaceId, url)) continue;
      const secret = newWebhookSecret();
      if (await repo.insertWebhookEndpoint(db, workspaceId, url, keys().encrypt(secret)))
        created.push({ url, secret });
    }
    return created;
  }
}

const keysOf = (deps: Deps) => keyRing(deps.config);
/** How long a rotated-out webhook secret keeps signing alongside the new one. */
const WEBHOOK_SECRET_GRACE_HOURS = 24;
/** Standard Webhooks secrets: `whsec_` + base64 of 32 random bytes. */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const withSecrets = (a: Automation, secrets: { url: string; secret: string }[]) =>
  secrets.length ? { ...a, webhookSecrets: secrets } : a;
const toEndpoint = (r: repo.WebhookEndpointRow): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  createdAt: r.created_at.toISOString(),
  rotatedAt: r.rotated_at?.toISOString() ?? null,
  previousValidUntil: r.previous_valid_until?.toISOString() ?? null,
});

async function checkRefs(db: Db, workspaceId: number, input: AutomationInput) {
  const agents = input.actions.flatMap((a) =>
    a.type === 'assign_agent' && a.agentId ? [a.agentId] : a.type === 'notify' ? a.agentIds : [],
  );
  if (agents.length) {
    const found = await existingAgentIds(db, workspaceId, agents);
    const missing = agents.filter((id) => !found.includes(id));
    if (missing.length)
      throw new AppError('validation_failed', `Unknown agent ${missing[0]}`, [
        { path: 'body.actions', message: `no active agent ${missing.join(', ')} in this workspace` },
      ]);
  }
}

/** Refuses webhook URLs that point at private addresses (SSRF), naming the field for the form. */
async function checkWebhooks(input: AutomationInput, policy: OutboundPolicy) {
  for (const [i, a] of input.actions.entries()) {
    if (a.type !== 'webhook') continue;
    try {
      await assertOutboundUrl(a.url, policy);
    } catch (err) {
      if (!(err instanceof OutboundRefusedError)) throw err;
      throw new AppError('validation_failed', `Webhook URL refused: ${err.message}`, [
        { path: `body.actions.${i}.url`, message: err.message },
      ]);
    }
  }
}

export interface ScanOptions {
  /** Only this workspace (an admin's "run now"); every workspace when absent (the hourly job). */
  workspaceId?: number;
  /** The time conditions are evaluated at (tests). */
  now?: number;
  budgetMs?: number;
  pageSize?: number;
}

export type AutomationsService = ReturnType<typeof createAutomationsService>;
