import { AutomationEvents, ConditionFields, ConditionOps } from '@shopdesk/contracts/automation-vocabulary';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from '../../lib/router.tsx';
import { PRIORITIES, STATUSES } from '../../ui/format.ts';
import { moved } from '../../ui/list.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { Field, FieldError, invalid, splitList, useFormSave } from './form-kit.tsx';
import { type AutomationT, slaApi } from './sla-api.ts';

const EVENTS = AutomationEvents;
const FIELDS = ConditionFields;
const OPS = ConditionOps;

const EVENT_LABELS: Record<string, string> = {
  'ticket.created': 'Ticket created',
  'ticket.updated': 'Ticket updated',
  'message.received': 'Customer message received',
  'sla.warning': 'SLA warning',
  'sla.breached': 'SLA breached',
};
const FIELD_LABELS: Record<string, string> = {
  status: 'Status',
  priority: 'Priority',
  channel: 'Channel',
  tags: 'Tags',
  subject: 'Subject',
  assigneeId: 'Assignee',
  teamId: 'Team',
  message: 'Latest customer message',
  hoursSinceCreated: 'Hours since created',
  hoursInStatus: 'Hours in status',
  businessHoursInStatus: 'Business hours in status',
  'sla.metric': 'SLA target (on SLA events)',
  urgency: 'Urgency score',
};
const OP_LABELS: Record<string, string> = {
  is: 'is',
  is_not: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  contains: 'contains',
  not_contains: 'does not contain',
  includes: 'includes',
  excludes: 'does not include',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  present: 'is set',
  absent: 'is not set',
};
const NUMERIC = new Set([
  'assigneeId',
  'teamId',
  'hoursSinceCreated',
  'hoursInStatus',
  'businessHoursInStatus',
  'urgency',
]);
const ACTION_LABELS: Record<string, string> = {
  set_status: 'Set status',
  set_priority: 'Set priority',
  add_tags: 'Add tags',
  remove_tags: 'Remove tags',
  set_field: 'Set custom field',
  assign_agent: 'Assign to agent',
  assign_team: 'Assign to team',
  reply: 'Send reply (template)',
  add_note: 'Add internal note',
  notify: 'Notify agents',
  webhook: 'Call webhook',
};

type CondDraft = { field: string; custom: string; op: string; value: string };
type ActionDraft = { type: string; [k: string]: string };
type Draft = {
  name: string;
  kind: 'trigger' | 'scheduled';
  events: string[];
  all: CondDraft[];
  any: CondDraft[];
  actions: ActionDraft[];
  active: boolean;
};

const condOf = (c: { field: string; op: string; value?: unknown }): CondDraft => ({
  field: c.field.startsWith('custom.') ? 'custom' : c.field,
  custom: c.field.startsWith('custom.') ? c.field.slice(7) : '',
  op: c.op,
  value: Array.isArray(c.value) ? c.value.join(', ') : c.value == null ? '' : String(c.value),
});

function actionOf(a: AutomationT['actions'][number]): ActionDraft {
  const out: ActionDraft = { type: a.type };
  for (const [k, v] of Object.entries(a))
    if (k !== 'type') out[k] = Array.isArray(v) ? v.join(', ') : v == null ? '' : String(v);
  return out;
}

function draftOf(a?: AutomationT): Draft {
  return {
    name: a?.name ?? '',
    kind: a?.kind ?? 'trigger',
    events: a?.events ?? ['ticket.created'],
    all: (a?.conditions.all ?? []).map(condOf),
    any: (a?.conditions.any ?? []).map(condOf),
    actions: a ? a.actions.map(actionOf) : [{ type: 'add_tags', tags: '' }],
    active: a?.active ?? true,
  };
}

function condBody(c: CondDraft) {
  const field = c.field === 'custom' ? `custom.${c.custom.trim()}` : c.field;
  if (c.op === 'present' || c.op === 'absent') return { field, op: c.op };
  let value: unknown = c.value;
  if (c.op === 'in' || c.op === 'not_in') value = splitList(c.value);
  else if (['gt', 'gte', 'lt', 'lte'].includes(c.op) || (NUMERIC.has(c.field) && c.value.trim() !== ''))
    value = c.value.trim() === '' ? c.value : Number(c.value);
  return { field, op: c.op, value };
}

const idOrNull = (s: string | undefined) => (s ? Number(s) : null);
function actionBody(a: ActionDraft): Record<string, unknown> {
  switch (a.type) {
    case 'set_status':
      return { type: a.type, status: a.status };
    case 'set_priority':
      return { type: a.type, priority: a.priority };
    case 'add_tags':
    case 'remove_tags':
      return { type: a.type, tags: splitList(a.tags ?? '') };
    case 'set_field':
      return { type: a.type, key: a.key ?? '', value: a.value ?? '' };
    case 'assign_agent':
      return { type: a.type, agentId: idOrNull(a.agentId) };
    case 'assign_team':
      return { type: a.type, teamId: idOrNull(a.teamId) };
    case 'notify':
      return {
        type: a.type,
        to: a.to || 'assignee',
        agentIds: splitList(a.agentIds ?? '').map(Number),
        body: a.body ?? '',
      };
    case 'webhook':
      return { type: a.type, url: a.url ?? '' };
    default:
      return { type: a.type, body: a.body ?? '' };
  }
}

const bodyOf = (d: Draft) => ({
  name: d.name,
  kind: d.kind,
  events: d.kind === 'trigger' ? d.events : [],
  conditions: { all: d.all.map(condBody), any: d.any.map(condBody) },
  actions: d.actions.map(actionBody),
  active: d.active,
});

const defaults: Record<string, ActionDraft> = {
  set_status: { type: 'set_status', status: 'open' },
  set_priority: { type: 'set_priority', priority: 'high' },
  notify: { type: 'notify', to: 'leads', body: '' },
};

export default function AutomationsSettings() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['automations'], queryFn: slaApi.automations });
  const [editing, setEditing] = useState<AutomationT | 'new' | null>(null);
  const [log, setLog] = useState<number | null>(null);
  const { save, status } = useFormSave(['automations']);
  const all = list.data?.items ?? [];
  const groups = [
    {
      kind: 'trigger',
      title: 'Triggers — run in this order after each event',
      items: all.filter((a) => a.kind === 'trigger'),
    },
    {
      kind: 'scheduled',
      title: 'Scheduled — checked every hour',
      items: all.filter((a) => a.kind === 'scheduled'),
    },
  ];
  const reorder = (kind: string, i: number, d: number) => {
    const g = groups.find((x) => x.kind === kind)!;
    const next = moved(g.items, i, d);
    if (next === g.items) return;
    const order = groups.flatMap((x) => (x.kind === kind ? next : x.items));
    qc.setQueryData(['automations'], { items: order });
    void save(() => slaApi.reorderAutomations(order.map((a) => a.id)), 'Order saved');
  };
  const setActive = (a: AutomationT, active: boolean) =>
    save(
      () =>
        slaApi.updateAutomation(a.id, {
          name: a.name,
          kind: a.kind,
          events: a.events,
          conditions: a.conditions,
          actions: a.actions,
          active,
        }),
      `${a.name} ${active ? 'enabled' : 'disabled'}`,
    );
  return (
    <div className="stack">
      <h2>Automations</h2>
      {status}
      {groups.map((g) => (
        <section key={g.kind} className="stack">
          <h3>{g.title}</h3>
          {g.items.length === 0 && <p className="muted">None yet.</p>}
          <ol className="sla-list" aria-label={g.kind === 'trigger' ? 'Triggers' : 'Scheduled automations'}>
            {g.items.map((a, i) => (
              <li key={a.id} data-automation={a.name} style={{ flexWrap: 'wrap' }}>
                <span className="muted">{i + 1}.</span>
                <span className="grow">
                  <strong>{a.name}</strong>
                  <br />
                  <span className="small muted">
                    {a.kind === 'trigger'
                      ? a.events.map((e) => EVENT_LABELS[e] ?? e).join(', ')
                      : 'every hour'}{' '}
                    → {a.actions.map((x) => ACTION_LABELS[x.type] ?? x.type).join(', ')}
                  </span>
                </span>
                <label className="inline">
                  <input
                    type="checkbox"
                    aria-label={`${a.name} enabled`}
                    checked={a.active}
                    onChange={(e) => void setActive(a, e.target.checked)}
                  />
                  on
                </label>
                <button
                  type="button"
                  className="ghost"
                  aria-label={`Move ${a.name} up`}
                  disabled={i === 0}
                  onClick={() => reorder(g.kind, i, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="ghost"
                  aria-label={`Move ${a.name} down`}
                  disabled={i === g.items.length - 1}
                  onClick={() => reorder(g.kind, i, 1)}
                >
                  ↓
                </button>
                <button type="button" onClick={() => setEditing(a)}>
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() => setLog(log === a.id ? null : a.id)}
                  aria-expanded={log === a.id}
                >
                  Log
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void save(() => slaApi.deleteAutomation(a.id), `${a.name} deleted`)}
                >
                  Delete
                </button>
                {log === a.id && <RunLog id={a.id} />}
              </li>
            ))}
          </ol>
        </section>
      ))}
      {editing === null ? (
        <div>
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New automation
          </button>
        </div>
      ) : (
        <AutomationForm
          key={editing === 'new' ? 'new' : editing.id}
          automation={editing === 'new' ? undefined : editing}
          onDone={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function RunLog({ id }: { id: number }) {
  const runs = useQuery({ queryKey: ['automations', id, 'runs'], queryFn: () => slaApi.automationRuns(id) });
  if (runs.isLoading) return <p className="loading">Loading the log…</p>;
  const items = runs.data?.items ?? [];
  return (
    <section style={{ flexBasis: '100%' }} aria-label="Execution log">
      {items.length === 0 ? (
        <p className="muted">It has not run yet.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>When</th>
              <th>Ticket</th>
              <th>On</th>
              <th>Outcome</th>
              <th>Did</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>{new Date(r.createdAt).toLocaleString()}</td>
                <td>
                  <Link to={`/tickets/${r.ticketId}`}>#{r.ticketId}</Link>
                </td>
                <td>{r.trigger}</td>
                <td className={r.outcome === 'applied' ? '' : 'error'}>
                  {r.outcome}
                  {r.reason ? `: ${r.reason}` : ''}
                </td>
                <td>{r.actions.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AutomationForm({ automation, onDone }: { automation?: AutomationT; onDone: () => void }) {
  const dir = useDirectory();
  const [d, setD] = useState<Draft>(() => draftOf(automation));
  const { save, errors, status } = useFormSave(['automations']);
  const [preview, setPreview] = useState<Awaited<ReturnType<typeof slaApi.preview>> | null>(null);
  const testRun = async () => {
    setPreview(null);
    const r = await save(() => slaApi.preview(bodyOf(d)), 'Test run done: nothing was changed');
    if (r) setPreview(r);
  };
  const setCond = (group: 'all' | 'any', i: number, c: Partial<CondDraft>) =>
    setD((x) => ({ ...x, [group]: x[group].map((o, j) => (j === i ? { ...o, ...c } : o)) }));
  const setAction = (i: number, a: Partial<ActionDraft>) =>
    setD((x) => ({
      ...x,
      actions: x.actions.map((o, j) => (j === i ? ({ ...o, ...a } as ActionDraft) : o)),
    }));

  const condRows = (group: 'all' | 'any', title: string) => (
    <fieldset data-conditions={group}>
      <legend>{title}</legend>
      {d[group].map((c, i) => {
        const path = `conditions.${group}.${i}`;
        const label = `${group === 'all' ? 'All' : 'Any'} condition ${i + 1}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity; the inputs are controlled
          <div key={i} className="row">
            <select
              aria-label={`${label} field`}
              value={c.field}
              onChange={(e) => setCond(group, i, { field: e.target.value })}
            >
              {FIELDS.map((f) => (
                <option key={f} value={f}>
                  {FIELD_LABELS[f] ?? f}
                </option>
              ))}
              <option value="custom">Custom field…</option>
            </select>
            {c.field === 'custom' && (
              <input
                aria-label={`${label} custom field key`}
                placeholder="key"
                size={10}
                value={c.custom}
                onChange={(e) => setCond(group, i, { custom: e.target.value })}
                {...invalid(errors, `${path}.field`)}
              />
            )}
            <select
              aria-label={`${label} operator`}
              value={c.op}
              onChange={(e) => setCond(group, i, { op: e.target.value })}
            >
              {OPS.map((o) => (
                <option key={o} value={o}>
                  {OP_LABELS[o] ?? o}
                </option>
              ))}
            </select>
            {c.op !== 'present' && c.op !== 'absent' && (c.field === 'assigneeId' || c.field === 'teamId') ? (
              <IdPicker
                label={`${label} value`}
                options={c.field === 'assigneeId' ? dir.agents : dir.teams}
                many={c.op === 'in' || c.op === 'not_in'}
                value={c.value}
                onChange={(value) => setCond(group, i, { value })}
              />
            ) : (
              c.op !== 'present' &&
              c.op !== 'absent' && (
                <input
                  aria-label={`${label} value`}
                  placeholder={c.op === 'in' || c.op === 'not_in' ? 'a, b, c' : 'value'}
                  value={c.value}
                  onChange={(e) => setCond(group, i, { value: e.target.value })}
                  {...invalid(errors, `${path}.value`)}
                />
              )
            )}
            <button
              type="button"
              className="ghost"
              aria-label={`Remove ${label.toLowerCase()}`}
              onClick={() => setD((x) => ({ ...x, [group]: x[group].filter((_, j) => j !== i) }))}
            >
              ✕
            </button>
            <FieldError errors={errors} path={path} />
          </div>
        );
      })}
      <div>
        <button
          type="button"
          onClick={() =>
            setD((x) => ({
              ...x,
              [group]: [...x[group], { field: 'status', custom: '', op: 'is', value: '' }],
            }))
          }
        >
          Add condition
        </button>
      </div>
    </fieldset>
  );

  return (
    <form
      className="sla-form"
      aria-label={automation ? `Edit automation ${automation.name}` : 'New automation'}
      onSubmit={(e) => {
        e.preventDefault();
        void save(
          () =>
            automation
              ? slaApi.updateAutomation(automation.id, bodyOf(d))
              : slaApi.createAutomation(bodyOf(d)),
          automation ? 'Automation saved' : 'Automation added',
        ).then((r) => r && onDone());
      }}
    >
      <h3>{automation ? `Edit ${automation.name}` : 'New automation'}</h3>
      <div className="row">
        <Field label="Automation name" errors={errors} path="name">
          <input
            value={d.name}
            onChange={(e) => setD({ ...d, name: e.target.value })}
            {...invalid(errors, 'name')}
          />
        </Field>
        <Field label="Runs" errors={errors} path="kind">
          <select value={d.kind} onChange={(e) => setD({ ...d, kind: e.target.value as Draft['kind'] })}>
            <option value="trigger">when something happens (trigger)</option>
            <option value="scheduled">every hour on open tickets (scheduled)</option>
          </select>
        </Field>
        <label className="inline">
          <input
            type="checkbox"
            checked={d.active}
            onChange={(e) => setD({ ...d, active: e.target.checked })}
          />
          Enabled
        </label>
      </div>
      {d.kind === 'trigger' && (
        <fieldset aria-label="Events">
          <legend>When</legend>
          <div className="row">
            {EVENTS.map((ev) => (
              <label key={ev} className="inline">
                <input
                  type="checkbox"
                  checked={d.events.includes(ev)}
                  onChange={(e) =>
                    setD({
                      ...d,
                      events: e.target.checked ? [...d.events, ev] : d.events.filter((x) => x !== ev),
                    })
                  }
                />
                {EVENT_LABELS[ev]}
              </label>
            ))}
          </div>
          <FieldError errors={errors} path="events" />
        </fieldset>
      )}
      {condRows('all', 'If all of these hold')}
      {condRows('any', 'and any of these (leave empty to skip)')}
      <FieldError errors={errors} path="conditions" />
      <fieldset>
        <legend>Then</legend>
        {d.actions.map((a, i) => {
          const path = `actions.${i}`;
          const label = `Action ${i + 1}`;
          const text = (k: string, placeholder: string, wide = false) => (
            <input
              aria-label={`${label} ${k}`}
              placeholder={placeholder}
              size={wide ? 40 : 16}
              value={a[k] ?? ''}
              onChange={(e) => setAction(i, { [k]: e.target.value })}
              {...invalid(errors, `${path}.${k}`)}
            />
          );
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: actions have no identity; the inputs are controlled
            <div key={i} className="row" data-action={i}>
              <select
                aria-label={`${label} type`}
                value={a.type}
                onChange={(e) => setAction(i, defaults[e.target.value] ?? { type: e.target.value })}
              >
                {Object.entries(ACTION_LABELS).map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
              {a.type === 'set_status' && (
                <select
                  aria-label={`${label} status`}
                  value={a.status}
                  onChange={(e) => setAction(i, { status: e.target.value })}
                >
                  {STATUSES.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              )}
              {a.type === 'set_priority' && (
                <select
                  aria-label={`${label} priority`}
                  value={a.priority}
                  onChange={(e) => setAction(i, { priority: e.target.value })}
                >
                  {PRIORITIES.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              )}
              {(a.type === 'add_tags' || a.type === 'remove_tags') && text('tags', 'tag, another')}
              {a.type === 'set_field' && (
                <>
                  {text('key', 'field key')}
                  {text('value', 'value')}
                </>
              )}
              {a.type === 'assign_agent' && (
                <select
                  aria-label={`${label} agent`}
                  value={a.agentId ?? ''}
                  onChange={(e) => setAction(i, { agentId: e.target.value })}
                >
                  <option value="">nobody</option>
                  {dir.assignable.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))}
                </select>
              )}
              {a.type === 'assign_team' && (
                <select
                  aria-label={`${label} team`}
                  value={a.teamId ?? ''}
                  onChange={(e) => setAction(i, { teamId: e.target.value })}
                >
                  <option value="">no team</option>
                  {dir.teams.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))}
                </select>
              )}
              {a.type === 'notify' && (
                <>
                  <select
                    aria-label={`${label} recipients`}
                    value={a.to ?? 'leads'}
                    onChange={(e) => setAction(i, { to: e.target.value })}
                  >
                    <option value="assignee">the assignee</option>
                    <option value="leads">leads and admins</option>
                    <option value="agents">these agents</option>
                  </select>
                  {a.to === 'agents' && (
                    <IdPicker
                      label={`${label} agents`}
                      options={dir.agents}
                      many
                      value={a.agentIds ?? ''}
                      onChange={(agentIds) => setAction(i, { agentIds })}
                    />
                  )}
                  {text('body', 'Message', true)}
                </>
              )}
              {(a.type === 'reply' || a.type === 'add_note') && (
                <textarea
                  aria-label={`${label} body`}
                  rows={2}
                  cols={48}
                  placeholder={a.type === 'reply' ? 'Hi {{contact.name}}, about #{{ticket.id}}…' : 'Note'}
                  value={a.body ?? ''}
                  onChange={(e) => setAction(i, { body: e.target.value })}
                  {...invalid(errors, `${path}.body`)}
                />
              )}
              {a.type === 'webhook' && text('url', 'https://example.com/hook', true)}
              <button
                type="button"
                className="ghost"
                aria-label={`Remove action ${i + 1}`}
                onClick={() => setD((x) => ({ ...x, actions: x.actions.filter((_, j) => j !== i) }))}
              >
                ✕
              </button>
              <FieldError errors={errors} path={path} />
            </div>
          );
        })}
        <div>
          <button
            type="button"
            onClick={() => setD((x) => ({ ...x, actions: [...x.actions, { type: 'add_tags', tags: '' }] }))}
          >
            Add action
          </button>
        </div>
        <FieldError errors={errors} path="actions" />
      </fieldset>
      {status}
      <div className="row">
        <button type="submit" className="primary">
          {automation ? 'Save automation' : 'Add automation'}
        </button>
        <button type="button" onClick={() => void testRun()}>
          Test run
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {preview && (
        <section aria-label="Test run result" className="card">
          <p>
            {preview.matches.length} of {preview.scanned} open tickets match now.
          </p>
          <ul>
            {preview.matches.map((m) => (
              <li key={m.ticketId} data-match={m.ticketId}>
                <Link to={`/tickets/${m.ticketId}`}>
                  #{m.ticketId} {m.subject}
                </Link>{' '}
                <span className="muted">({m.status})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </form>
  );
}

/**
 * Agents or teams by name for a condition or action that stores ids: one select, or checkboxes when
 * several may be chosen. The draft keeps ids as "3, 7", as the text fields did.
 */
function IdPicker({
  label,
  options,
  many,
  value,
  onChange,
}: {
  label: string;
  options: { id: number; name: string }[];
  many: boolean;
  value: string;
  onChange: (value: string) => void;
}) {
  const chosen = splitList(value);
  if (!many)
    return (
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">nobody</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    );
  return (
    <fieldset className="id-picker" aria-label={label}>
      {options.map((o) => (
        <label key={o.id} className="inline">
          <input
            type="checkbox"
            checked={chosen.includes(String(o.id))}
            onChange={(e) =>
              onChange(
                (e.target.checked
                  ? [...chosen, String(o.id)]
                  : chosen.filter((x) => x !== String(o.id))
                ).join(', '),
              )
            }
          />
          {o.name}
        </label>
      ))}
    </fieldset>
  );
}
