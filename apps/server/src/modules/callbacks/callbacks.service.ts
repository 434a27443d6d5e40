import type {
  CallbackCall,
  CallbackTask,
  CompleteCallback,
  CreateCallback,
  ListCallbacksQuery,
} from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { addBusinessMinutes, type Calendar } from '../sla/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import * as repo from './callbacks.repository.ts';

/** Places a click-to-call through a provider (channels/twilio/click-to-call.ts). */
export interface CallbackDialer {
  /**
   * Rings the agent's phone first and, when they pick up, bridges to the customer. Resolves with the
   * provider's call id, or with `error` (in words) when the provider refused or could not be reached.
   */
  dial(
    workspaceId: number,
    c: { accountId: number | null; agentPhone: string; customerPhone: string; ticketId: number },
  ): Promise<{ callSid: string; status: string } | { error: string }>;
}

/** A status report for a click-to-call, read from the provider's signed callback (through the intake). */
export interface CallStatusReport {
  callSid: string;
  /** `agent`: the call to the agent's phone; `customer`: the bridged leg (the <Dial> result). */
  leg: 'agent' | 'customer';
  status: string;
  durationSeconds: number | null;
}

export interface CallbackPorts {
  tickets: TicketsService;
  /** The workspace's business-hours calendar (modules/sla), null: always open. */
  calendar(workspaceId: number): Promise<Calendar | null>;
  contactPhone(auth: Auth, contactId: number): Promise<string | null>;
  dialer: CallbackDialer | null;
}

/** Without a voice account setting (a task opened by hand): four business hours. */
const DEFAULT_WITHIN_MINUTES = 240;
const CUSTOMER_OUTCOME: Record<string, string> = {
  completed: 'answered',
  answered: 'answered',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'no-answer',
};
const AGENT_MISSED = new Set(['busy', 'no-answer', 'failed', 'canceled']);
const OUTCOME_WORDS: Record<string, string> = {
  answered: 'answered',
  'no-answer': 'no answer',
  busy: 'busy',
  failed: 'failed',
  'agent-missed': "the agent's phone did not answer",
};
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const duration = (s: number | null) =>
  s ? ` (${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s)` : '';

export function createCallbacksService(deps: Deps, ports: CallbackPorts) {
  const { db } = deps;
  const { tickets } = ports;

  async function dueAt(workspaceId: number, from: Date, minutes: number) {
    // A calendar that never opens again gives no time; the task is then due after the plain minutes.
    return (
      addBusinessMinutes(await ports.calendar(workspaceId), from, minutes) ??
      new Date(from.getTime() + minutes * 60_000)
    );
  }

  const toCall = (c: repo.CallRow): CallbackCall => ({
    id: c.id,
    agentId: c.agent_id,
    callSid: c.call_sid,
    customerPhone: c.customer_phone,
    status: c.status,
    outcome: c.outcome,
    durationSeconds: c.duration_seconds,
    error: c.error,
    createdAt: c.created_at.toISOString(),
    endedAt: iso(c.ended_at),
  });

  async function shape(workspaceId: number, rows: repo.TaskRow[]): Promise<CallbackTask[]> {
    const ticketIds = [...new Set(rows.map((r) => r.ticket_id))];
    const calls = await repo.callsOfTickets(db, workspaceId, ticketIds);
    const subjects = new Map<number, string>();
    for (const id of ticketIds)
      subjects.set(id, (await tickets.findSummary(workspaceId, id))?.subject ?? `Ticket ${id}`);
    const now = Date.now();
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      ticketSubject: subjects.get(r.ticket_id) ?? '',
      reason: r.reason,
      phone: r.phone,
      dueAt: r.due_at.toISOString(),
      overdue: r.status === 'open' && r.due_at.getTime() < now,
      status: r.status,
      outcome: r.outcome as CallbackTask['outcome'],
      note: r.note,
      completedBy: r.completed_by,
      completedAt: iso(r.completed_at),
      createdAt: r.created_at.toISOString(),
      calls: calls.filter((c) => c.task_id === r.id).map(toCall),
    }));
  }

  async function taskOf(auth: Auth, id: number) {
    const t = await repo.findTask(db, auth.workspaceId, id);
    if (!t) throw notFound('Callback task');
    return t;
  }

  /** A note on the ticket's timeline, in the same transaction as the change it reports. */
  async function noteInTx<T>(
    workspaceId: number,
    ticketId: number,
    author: string,
    change: (tx: typeof db) => Promise<{ result: T; note: string | null }>,
  ) {
    let events: Awaited<ReturnType<TicketsService['addSystemNote']>> = [];
    const result = await db.tx(async (tx) => {
      const r = await change(tx);
      if (r.note)
        events = await tickets.addSystemNote(tx, workspaceId, ticketId, r.note, {
          kind: 'channel',
          name: author,
        });
      return r.result;
    });
    await tickets.publishSystemEvents(events);
    return result;
  }

  return {
    /**
     * A voicemail or missed call landed (message.received on a `voice` ticket): opens its task, due
     * within the account's callback target counted in business hours. Safe to run twice.
     */
    async openFromVoicemail(workspaceId: number, ticketId: number, messageId: number) {
      const m = await tickets.getMessage({ workspaceId }, messageId).catch(() => null);
      const cb = (m?.channelMeta.voice as { callback?: Record<string, unknown> } | undefined)?.callback;
      if (!m || !cb || m.kind !== 'inbound') return null;
      const minutes = Number(cb.withinMinutes) || DEFAULT_WITHIN_MINUTES;
      return repo.insertTask(db, {
        workspaceId,
        ticketId,
        messageId,
        accountId: Number(m.channelMeta.accountId) || null,
        reason: cb.reason === 'missed-call' ? 'missed-call' : 'voicemail',
        phone: typeof cb.phone === 'string' ? cb.phone : null,
        dueAt: await dueAt(workspaceId, new Date(m.createdAt), minutes),
      });
    },

    async list(auth: Auth, q: ListCallbacksQuery) {
      const rows = await repo.listTasks(db, auth.workspaceId, {
        status: q.status,
        overdue: q.overdue === 'true',
        ticketId: q.ticketId,
        limit: q.limit,
      });
      return shape(auth.workspaceId, rows);
    },

    async create(auth: Auth, ticketId: number, body: CreateCallback) {
      const t = await tickets.get(auth, ticketId);
      const phone = t.contact ? await ports.contactPhone(auth, t.contact.id) : null;
      const due = body.dueAt
        ? new Date(body.dueAt)
        : await dueAt(auth.workspaceId, new Date(), DEFAULT_WITHIN_MINUTES);
      const row = await repo.insertTask(db, {
        workspaceId: auth.workspaceId,
        ticketId: t.id,
        messageId: null,
        accountId: null,
        reason: 'manual',
        phone,
        dueAt: due,
        note: body.note ?? '',
        createdBy: auth.agentId,
      });
      return (await shape(auth.workspaceId, [row!]))[0]!;
    },

    /** Closes the task with the agent's outcome and note, logged on the ticket's timeline. */
    async complete(auth: Auth, id: number, body: CompleteCallback) {
      const task = await taskOf(auth, id);
      if (task.status === 'done') throw conflict('This callback is already done');
      const done = await noteInTx(
        auth.workspaceId,
        task.ticket_id,
        `Call back · ${auth.name}`,
        async (tx) => {
          const r = await repo.completeTask(tx, auth.workspaceId, id, {
            outcome: body.outcome,
            note: body.note,
            by: auth.agentId,
          });
          return {
            result: r,
            note: r
              ? `Callback done: ${OUTCOME_WORDS[body.outcome]}.${body.note ? `\n\n${body.note}` : ''}`
              : null,
          };
        },
      );
      if (!done) throw conflict('This callback is already done');
      return (await shape(auth.workspaceId, [done]))[0]!;
    },

    /** Click-to-call: Twilio rings the agent's own phone, then bridges to the customer. */
    async call(auth: Auth, id: number) {
      const task = await taskOf(auth, id);
      if (task.status === 'done') throw conflict('This callback is already done');
      if (!ports.dialer) throw badRequest('No phone provider is set up for calls');
      const agentPhone = await repo.agentPhone(db, auth.workspaceId, auth.agentId);
      if (!agentPhone)
        throw new AppError('validation_failed', 'Set your own phone number first (the callback panel)');
      if (!task.phone) throw new AppError('validation_failed', 'This customer has no phone number to call');
      const row = await repo.insertCall(db, {
        workspaceId: auth.workspaceId,
        taskId: task.id,
        ticketId: task.ticket_id,
        agentId: auth.agentId,
        agentPhone,
        customerPhone: task.phone,
      });
      const r = await ports.dialer.dial(auth.workspaceId, {
        accountId: task.account_id,
        agentPhone,
        customerPhone: task.phone,
        ticketId: task.ticket_id,
      });
      if ('error' in r) {
        const failed = await noteInTx(auth.workspaceId, task.ticket_id, 'Call back', async (tx) => ({
          result: await repo.refusedCall(tx, row.id, r.error),
          note: `Call back to ${task.phone} by ${auth.name} could not be placed: ${r.error}`,
        }));
        return toCall(failed!);
      }
      await repo.placedCall(db, row.id, r.callSid, r.status);
      return toCall({ ...row, call_sid: r.callSid, status: r.status });
    },

    /**
     * A signed status callback for a click-to-call (from the intake's job). The outcome is set once and
     * logged on the ticket; a report for a call not stored yet retries (the API answer may be late).
     */
    async recordCallStatus(workspaceId: number, s: CallStatusReport, ctx: { final: boolean }) {
      const call = await repo.findCallBySid(db, workspaceId, s.callSid);
      if (!call) {
        if (ctx.final) return;
        throw new Error(`No click-to-call ${s.callSid} yet`);
      }
      const outcome =
        s.leg === 'customer'
          ? (CUSTOMER_OUTCOME[s.status] ?? 'failed')
          : AGENT_MISSED.has(s.status)
            ? 'agent-missed'
            : null;
      if (!outcome) {
        if (!call.outcome) await repo.updateCallStatus(db, call.id, s.status);
        return;
      }
      await noteInTx(workspaceId, call.ticket_id, 'Call back', async (tx) => {
        const r = await repo.setCallOutcome(tx, call.id, {
          outcome,
          status: s.leg === 'agent' ? s.status : undefined,
          durationSeconds: s.durationSeconds,
        });
        return {
          result: r,
          note: r
            ? `Call back to ${call.customer_phone}: ${OUTCOME_WORDS[outcome]}${outcome === 'answered' ? duration(s.durationSeconds) : ''}.`
            : null,
        };
      });
    },

    myPhone: (auth: Auth) => repo.agentPhone(db, auth.workspaceId, auth.agentId),
    setMyPhone: (auth: Auth, phone: string | null) =>
      repo.setAgentPhone(db, auth.workspaceId, auth.agentId, phone),
  };
}
export type CallbacksService = ReturnType<typeof createCallbacksService>;
