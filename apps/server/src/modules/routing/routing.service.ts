import type { AgentRouting, AgentStatus, RoutingConfig, RoutingConfigInput } from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { createConfigCache } from '../../platform/events/config-cache.ts';
import type { Auth } from '../../platform/http/router.ts';
import { hasRole } from '../../platform/http/router.ts';
import type { SlaService } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
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
  // Read by every new ticket's offer and every drain; written only by putConfig.
  const configs = createConfigCache({
    bus: deps.bus,
    kind: 'routing.config-changed',
    load: (workspaceId) => repo.listConfigs(db, workspaceId),
  });

  const svc = {
    /**
     * Assigns queued tickets in order while someone has room. One router per workspace at a time (an
     * advisory lock, so several nodes never double-assign or overfill an agent); the loads are counted
     * inside the lock and updated as we go.
     */
    async drain(workspaceId: number): Promise<number> {
      // Read before the transaction: the embedded database runs one transaction at a time.
      const configRows = await configs.get(workspaceId);
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

    /** Puts an unassigned, active ticket in the queue (when its team routes automatically) and drains. */
    async offer(workspaceId: number, ticketId: number) {
      const all = await configs.get(workspaceId);
      // No rule routes automatically (none at all means manual): whatever the ticket's team, nothing to do.
      if (!all.some((c) => c.mode !== 'manual')) return;
      const t = await repo.ticketForRouting(db, workspaceId, ticketId);
      if (!t || t.assignee_id !== null || t.merged_into_id || !ACTIVE.has(t.status)) return;
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
      const r = await repo.setPresence(db, auth.workspaceId, agentId, input);
      if (input.status === 'offline' && r?.previous !== 'offline') {
        // Live conversations must not wait for someone who has left: hand them back to the queue.
        const live = await repo.openLiveTickets(db, auth.workspaceId, agentId, LIVE_CHANNELS);
        for (const id of live) {
          // Read outside the transaction: the embedded database runs one transaction at a time.
          const due = await sla.dueAtOf(auth.workspaceId, id);
          const events = await db.tx(async (tx) => {
            const res = await tickets.applySystemChanges(
              tx,
              auth.workspaceId,
              id,
              { assigneeId: null },
              { kind: 'routing', name: 'Agent went offline' },
            );
            await repo.enqueueTicket(tx, auth.workspaceId, id, due);
            return res?.events ?? [];
          });
          await tickets.publishSystemEvents(events);
        }
      }
      await deps.bus.publish({
        name: 'agent.status_changed',
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        data: { agentId, status: r?.status },
      });
      await svc.drain(auth.workspaceId);
      return (await svc.listAgents(auth)).find((a) => a.agentId === agentId)!;
    },

    async listAgents(auth: Pick<Auth, 'workspaceId'>): Promise<AgentRouting[]> {
      return (await repo.listAgentRouting(db, auth.workspaceId)).map((r) => ({
        agentId: r.agent_id,
        name: r.name,
        status: r.status,
        capacity: r.capacity,
        load: r.load ?? {},
        statusChangedAt: r.status_changed_at?.toISOString() ?? null,
      }));
    },

    async listConfigs(auth: Pick<Auth, 'workspaceId'>) {
      return (await repo.listConfigs(db, auth.workspaceId)).map(toConfig);
    },

    async putConfig(auth: Auth, teamId: number | null, input: RoutingConfigInput) {
      if (teamId !== null && !(await repo.teamExists(db, auth.workspaceId, teamId))) throw notFound('Team');
      const row = await repo.upsertConfig(db, auth.workspaceId, teamId, input);
      await configs.changed(auth.workspaceId);
      await svc.drain(auth.workspaceId);
      return toConfig(row!);
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
