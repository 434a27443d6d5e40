import { useState } from 'react';
import { Link } from '../../lib/router.tsx';
import { PRIORITIES, STATUSES } from '../../ui/format.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import {
  ACTION_LABELS,
  type ActionDraft,
  bodyOf,
  type CondDraft,
  type Draft,
  defaults,
  draftOf,
  EVENT_LABELS,
  EVENTS,
  FIELD_LABELS,
  FIELDS,
  OP_LABELS,
  OPS,
} from './automation-draft.ts';
import { Field, FieldError, invalid, splitList, useFormSave } from './form-kit.tsx';
import { type AutomationT, slaApi } from './sla-api.ts';

/* Creating or editing one automation: trigger, conditions, actions, a test run against recent tickets. */

export function AutomationForm({ automation, onDone }: { automation?: AutomationT; onDone: () => void }) {
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
