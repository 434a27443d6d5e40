import type {
  AgentRouting,
  AgentStatus,
  RoutingConfig,
  RoutingConfigInput,
  RoutingRule,
  RoutingRuleInput,
} from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { createConfigCache } from '../../platform/events/config-cache.ts';
import type { Auth } from '../../platform/http/router.ts';
import { existingTeamIds, hasRole, teamExists } from '../agents/index.ts';
import { existingInboxIds } from '../email/index.ts';
import type { SlaService } from '../sla/index.ts';
import { type TicketsService, ticketSource } from '../tickets/index.ts';
import { type Candidate, pickAgent, type Rules } from './pick-agent.ts';
import * as repo from './routing.repository.ts';

/** Channels where a conversation is live: an agent going offline hands these back to the queue. */
const LIVE_CHANNELS = ['chat', 'messenger', 'instagram', 'whatsapp', 'sms'];
const ACTIVE = new Set(['new', 'open']);
const BATCH = 1000;

const defaults: Rules = {
  mode: 'manual',
  defaultCapacity: { chat: 3, email: 20, '*': 20 },
  skillTags: [],
  matchLanguage: true,
};

const toRules = (r: repo.ConfigRow): Rules => ({
  mode: r.mode,
  defaultCapacity: r.default_capacity,
  skillTags: r.skill_tags,
  matchLanguage: r.match_language,
});

function toConfig(r: repo.ConfigRow): RoutingConfig {
  return { teamId: r.team_id, ...toRules(r), updatedAt: r.updated_at.toISOString() };
}

/** A team's own rules when it has them, else the workspace default, else manual. */
const rulesFor = (configs: repo.ConfigRow[], teamId: number | null): Rules => {
  const own = teamId !== null ? configs.find((c) => c.team_id === teamId) : undefined;
  const base = configs.find((c) => c.team_id === null);
  return own ? toRules(own) : base ? toRules(base) : defaults;
};

export function createRoutingService(deps: Deps, tickets: TicketsService, sla: SlaService) {
  const { db, log } = deps;
  // Read by every new ticket's offer and every drain; written only by putConfig and putRules.
  const settings = createConfigCache({
    bus: deps.bus,
    kind: 'routing.config-changed',
    load: async (workspaceId) => ({
      configs: await repo.listConfigs(db, workspaceId),
      rules: await repo.listRules(db, workspaceId),
    }),
  });

  /** Hands an agent's open live conversations back to the queue (they went offline or lapsed). */
  async function rerouteLive(workspaceId: number, agentId: number, why: string) {
    for (const id of await repo.openLiveTickets(db, workspaceId, agentId, LIVE_CHANNELS)) {
      // Read outside the transaction: the embedded database runs one transaction at a time.
      const due = await sla.dueAtOf(workspaceId, id);
      const events = await db.tx(async (tx) => {
        const res = await tickets.applySystemChanges(
          tx,
          workspaceId,
          id,
          { assigneeId: null },
          { kind: 'routing', name: why },
        );
        await repo.enqueueTicket(tx, workspaceId, id, due);
        return res?.events ?? [];
      });
      await tickets.publishSystemEvents(events);
    }
  }

  /** A new ticket without a team: the most specific rule for its channel (and email inbox) gives it one. */
  async function teamFromRules(workspaceId: number, ticketId: number, rules: repo.RuleRow[]) {
    const src = await ticketSource(db, workspaceId, ticketId);
    if (!src) return null;
    const rule =
      rules.find((r) => r.channel === src.channel && r.inbox_id !== null && r.inbox_id === src.inbox_id) ??
      rules.find((r) => r.channel === src.channel && r.inbox_id === null);
    if (!rule) return null;
    const events = await db.tx(async (tx) => {
      const res = await tickets.applySystemChanges(
        tx,
        workspaceId,
        ticketId,
        { teamId: rule.team_id },
        { kind: 'routing', name: rule.inbox_id ? `Inbox ${rule.inbox_id} rule` : `${rule.channel} rule` },
      );
      return res?.events ?? [];
    });
    await tickets.publishSystemEvents(events);
    return rule.team_id;
  }

  const svc = {
    /**
     * Assigns queued tickets in order while someone has room. One router per workspace at a time (an
     * advisory lock, so several nodes never double-assign or overfill an agent); the loads are counted
     * inside the lock and updated as we go.
     */
    async drain(workspaceId: number): Promise<number> {
      // Read before the transaction: the embedded database runs one transaction at a time.
      const configRows = (await settings.get(workspaceId)).configs;
      const { events, assigned } = await db.tx(async (tx) => {
        await repo.lockWorkspace(tx, workspaceId);
        const queue = await repo.lockQueue(tx, workspaceId, BATCH);
        if (!queue.length) return { events: [] as DomainEvent[], assigned: 0 };
        const rows = await repo.onlineAgents(tx, workspaceId);
        const agents: Candidate[] = rows.map((r) => ({
          id: r.id,
          skills: r.skills,
          languages: r.languages,
          teamIds: r.team_ids,
          capacity: r.capacity,
          seq: r.seq,
          load: {},
        }));
        for (const l of await repo.openLoads(
          tx,
          workspaceId,
          agents.map((a) => a.id),
        )) {
          const a = agents.find((x) => x.id === l.assignee_id);
          if (a) a.load[l.channel] = l.n;
        }
        let seq = await repo.maxSeq(tx, workspaceId);
        const events: DomainEvent[] = [];
        const done: number[] = [];
        for (const q of queue) {
          const rules = rulesFor(configRows, q.team_id);
          if (
            q.assignee_id !== null ||
            q.merged_into_id ||
            !ACTIVE.has(q.status) ||
            rules.mode === 'manual'
          ) {
            done.push(q.ticket_id);
            continue;
          }
          const ticket = { channel: q.channel, teamId: q.team_id, tags: q.tags, language: q.language };
          const agent = pickAgent(agents, ticket, rules);
          if (!agent) continue; // waits for capacity; later tickets may still fit someone else
          const r = await tickets.applySystemChanges(
            tx,
            workspaceId,
            q.ticket_id,
            { assigneeId: agent.id },
            { kind: 'routing', name: rules.mode === 'round_robin' ? 'Round robin' : 'Least loaded' },
          );
          done.push(q.ticket_id);
          if (!r) continue;
          events.push(...r.events);
          agent.load[q.channel] = (agent.load[q.channel] ?? 0) + 1;
          agent.seq = ++seq;
          await repo.setSeq(tx, agent.id, seq);
        }
        if (done.length) await repo.dequeue(tx, workspaceId, done);
        return { events, assigned: events.filter((e) => e.name === 'ticket.assigned').length };
      });
      await tickets.publishSystemEvents(events);
      return assigned;
    },

    /**
     * Puts an unassigned, active ticket in the queue (when its team routes automatically) and drains. A new
     * ticket without a team first gets one from the channel/inbox rules.
     */
    async offer(workspaceId: number, ticketId: number, o: { isNew?: boolean } = {}) {
      const { configs: all, rules: channelRules } = await settings.get(workspaceId);
      const teamRules = o.isNew && channelRules.length > 0;
      // No rule routes automatically (none at all means manual): whatever the ticket's team, nothing to do.
      if (!teamRules && !all.some((c) => c.mode !== 'manual')) return;
      const t = await repo.ticketForRouting(db, workspaceId, ticketId);
      if (!t || t.merged_into_id || !ACTIVE.has(t.status)) return;
      if (teamRules && t.team_id === null)
        t.team_id = (await teamFromRules(workspaceId, ticketId, channelRules)) ?? null;
      if (t.assignee_id !== null) return;
      const rules = rulesFor(all, t.team_id);
      if (rules.mode === 'manual') return;
      await repo.enqueueTicket(db, workspaceId, ticketId, await sla.dueAtOf(workspaceId, ticketId));
      await svc.drain(workspaceId);
    },

    /** Keeps the queue's order in step with the ticket's SLA (priority changes move due times). */
    async refreshDue(workspaceId: number, ticketId: number) {
      if (await repo.isQueued(db, workspaceId, ticketId))
        await repo.refreshDue(db, workspaceId, ticketId, await sla.dueAtOf(workspaceId, ticketId));
    },

    async sweep() {
      for (const ws of await repo.workspacesWithQueue(db)) {
        try {
          await svc.drain(ws);
        } catch (err) {
          log.warn({ err, workspaceId: ws }, 'routing sweep failed');
        }
      }
    },

    async setStatus(
      auth: Auth,
      agentId: number,
      input: { status?: AgentStatus; capacity?: Record<string, number> },
    ) {
      if (agentId !== auth.agentId && !hasRole(auth, 'lead'))
        throw forbidden('Only leads can change another agent’s status or capacity');
      if (input.capacity && !hasRole(auth, 'lead')) throw forbidden('Only leads can change capacity');
      if (!(await repo.agentInWorkspace(db, auth.workspaceId, agentId))) throw notFound('Agent');
      // The agent's own choice says they are here (a lead's change for them does not).
      await svc.changeStatus(auth.workspaceId, agentId, input, {
        actorAgentId: auth.agentId,
        present: agentId === auth.agentId,
      });
      return (await svc.listAgents(auth)).find((a) => a.agentId === agentId)!;
    },

    /** Stores a status (and capacity); going offline hands live conversations back to the queue. */
    async changeStatus(
      workspaceId: number,
      agentId: number,
      input: { status?: AgentStatus; capacity?: Record<string, number> },
      o: { actorAgentId: number | null; present: boolean; why?: string },
    ) {
      const r = await repo.setPresence(db, workspaceId, agentId, { ...input, present: o.present });
      // Live conversations must not wait for someone who has left: hand them back to the queue.
      if (input.status === 'offline' && r?.previous !== 'offline')
        await rerouteLive(workspaceId, agentId, o.why ?? 'Agent went offline');
      await deps.bus.publish({
        name: 'agent.status_changed',
        workspaceId,
        actorAgentId: o.actorAgentId,
        data: { agentId, status: r?.status },
      });
      await svc.drain(workspaceId);
    },

    /** The agent has had no live connection for the grace period: treated as offline until they return. */
    async lapsed(workspaceId: number, agentId: number) {
      await rerouteLive(workspaceId, agentId, 'Agent disconnected');
      await deps.bus.publish({
        name: 'agent.status_changed',
        workspaceId,
        actorAgentId: null,
        data: { agentId, lapsed: true },
      });
      await svc.drain(workspaceId);
    },

    /** A socket connected again: the agent is back with the status they chose. */
    async returned(workspaceId: number, agentId: number, status: string) {
      await deps.bus.publish({
        name: 'agent.status_changed',
        workspaceId,
        actorAgentId: agentId,
        data: { agentId, status, lapsed: false },
      });
      await svc.drain(workspaceId);
    },

    async listAgents(auth: Pick<Auth, 'workspaceId'>): Promise<AgentRouting[]> {
      return (await repo.listAgentRouting(db, auth.workspaceId)).map((r) => ({
        agentId: r.agent_id,
        name: r.name,
        status: r.status,
        capacity: r.capacity,
        load: r.load ?? {},
        statusChangedAt: r.status_changed_at?.toISOString() ?? null,
        lapsedAt: r.lapsed_at?.toISOString() ?? null,
      }));
    },

    /** Agents online to take work now (the bot tells a shopper how soon a human answers). */
    onlineCount: async (workspaceId: number) => (await repo.onlineAgents(db, workspaceId)).length,

    async listConfigs(auth: Pick<Auth, 'workspaceId'>) {
      return (await repo.listConfigs(db, auth.workspaceId)).map(toConfig);
    },

    async putConfig(auth: Auth, teamId: number | null, input: RoutingConfigInput) {
      if (teamId !== null && !(await teamExists(db, auth.workspaceId, teamId))) throw notFound('Team');
      const row = await repo.upsertConfig(db, auth.workspaceId, teamId, input);
      await settings.changed(auth.workspaceId);
      await svc.drain(auth.workspaceId);
      return toConfig(row!);
    },

    async listRules(auth: Pick<Auth, 'workspaceId'>): Promise<RoutingRule[]> {
      return (await repo.listRules(db, auth.workspaceId)).map((r) => ({
        id: r.id,
        channel: r.channel as RoutingRule['channel'],
        inboxId: r.inbox_id,
        teamId: r.team_id,
      }));
    },

    /** Replaces the channel/inbox → team rules; a bad row is a 400 naming it, and nothing changes. */
    async putRules(auth: Auth, rules: RoutingRuleInput[]) {
      const problems: { path: string; message: string }[] = [];
      const teams = await existingTeamIds(db, auth.workspaceId, [...new Set(rules.map((r) => r.teamId))]);
      const inboxIds = rules.flatMap((r) => (r.inboxId === null ? [] : [r.inboxId]));
      const inboxes = inboxIds.length ? await existingInboxIds(db, auth.workspaceId, inboxIds) : [];
      const seen = new Set<string>();
      for (const [i, r] of rules.entries()) {
        const key = `${r.channel}:${r.inboxId ?? '*'}`;
        if (seen.has(key))
          problems.push({
            path: `body.rules.${i}`,
            message: 'another rule already covers this channel and inbox',
          });
        seen.add(key);
        if (!teams.includes(r.teamId))
          problems.push({ path: `body.rules.${i}.teamId`, message: 'no such team in this workspace' });
        if (r.inboxId !== null && r.channel !== 'email')
          problems.push({ path: `body.rules.${i}.inboxId`, message: 'only email rules name an inbox' });
        else if (r.inboxId !== null && !inboxes.includes(r.inboxId))
          problems.push({ path: `body.rules.${i}.inboxId`, message: 'no such inbox in this workspace' });
      }
      if (problems.length)
        throw new AppError('validation_failed', `Invalid routing rule: ${problems[0]!.message}`, problems);
      await db.tx((tx) => repo.replaceRules(tx, auth.workspaceId, rules));
      await settings.changed(auth.workspaceId);
      return svc.listRules(auth);
    },

    async queue(auth: Pick<Auth, 'workspaceId'>, limit: number) {
      return (await repo.listQueue(db, auth.workspaceId, limit)).map((r) => ({
        ticketId: r.ticket_id,
        subject: r.subject,
        channel: r.channel,
        teamId: r.team_id,
        dueAt: r.due_at?.toISOString() ?? null,
        enqueuedAt: r.enqueued_at.toISOString(),
      }));
    },
  };
  return svc;
}

export type RoutingService = ReturnType<typeof createRoutingService>;
