import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, type TicketDetailT } from '../../lib/api.ts';
import { Link, navigate } from '../../lib/router.tsx';
import { useConfirm } from '../../ui/dialog.tsx';
import { PRIORITIES, STATUSES } from '../../ui/format.ts';
import { useDirectory } from '../../ui/use-directory.ts';

export function Properties({
  ticket: t,
  onUpdate,
  readOnly,
}: {
  ticket: TicketDetailT;
  onUpdate: (changes: Record<string, unknown>, label: string) => Promise<void>;
  readOnly: boolean;
}) {
  const dir = useDirectory();
  const fields = useQuery({ queryKey: ['custom-fields'], queryFn: api.customFields.list, staleTime: 60_000 });
  const [tag, setTag] = useState('');
  const [other, setOther] = useState('');
  const [linkKind, setLinkKind] = useState('related');
  const [msg, setMsg] = useState<string | null>(null);
  const [confirm, confirmDialog] = useConfirm();

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg(ok);
      // Done with that ticket number: a Merge button still armed with it invites a wrong second click.
      setOther('');
    } catch (e) {
      setMsg(e instanceof ApiError ? e.message : 'Failed');
    }
  };
  const otherId = Number(other.replace('#', ''));

  return (
    <section className="panel props" aria-label="Properties">
      <h2>Properties</h2>
      <fieldset disabled={readOnly}>
        <label>
          Status
          <select
            value={t.status}
            onChange={(e) => void onUpdate({ status: e.target.value }, `Status: ${e.target.value}`)}
          >
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select
            value={t.priority}
            onChange={(e) => void onUpdate({ priority: e.target.value }, `Priority: ${e.target.value}`)}
          >
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Assignee
          <select
            value={t.assigneeId ?? ''}
            onChange={(e) =>
              void onUpdate(
                { assigneeId: e.target.value ? Number(e.target.value) : null },
                'Assignee changed',
              )
            }
          >
            <option value="">Unassigned</option>
            {dir.agents
              .filter((a) => dir.assignable.includes(a) || a.id === t.assigneeId)
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Team
          <select
            value={t.teamId ?? ''}
            onChange={(e) =>
              void onUpdate({ teamId: e.target.value ? Number(e.target.value) : null }, 'Team changed')
            }
          >
            <option value="">No team</option>
            {dir.teams.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <div className="tags">
          {t.tags.map((x) => (
            <span key={x} className="tag">
              {x}{' '}
              <button
                type="button"
                className="link"
                aria-label={`Remove tag ${x}`}
                onClick={() => void onUpdate({ removeTags: [x] }, `Removed ${x}`)}
              >
                ×
              </button>
            </span>
          ))}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (tag.trim())
                void onUpdate({ addTags: [tag.trim()] }, `Tagged ${tag.trim()}`).then(() => setTag(''));
            }}
          >
            <input
              aria-label="Add a tag"
              placeholder="Add tag…"
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              size={12}
            />
          </form>
        </div>
        {(fields.data?.items ?? []).map((f) => {
          const v = t.customFields[f.key];
          const save = (val: unknown) =>
            void onUpdate({ customFields: { [f.key]: val } }, `${f.label} saved`);
          return (
            // biome-ignore lint/a11y/noLabelWithoutControl: the control is one of the three branches below
            <label key={f.id}>
              {f.label}
              {f.type === 'select' ? (
                <select value={String(v ?? '')} onChange={(e) => save(e.target.value || null)}>
                  <option value="">—</option>
                  {f.options.map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              ) : f.type === 'boolean' ? (
                <input type="checkbox" checked={v === true} onChange={(e) => save(e.target.checked)} />
              ) : (
                <input
                  type={f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text'}
                  defaultValue={v == null ? '' : String(v)}
                  onBlur={(e) => {
                    const raw = e.target.value;
                    const val = raw === '' ? null : f.type === 'number' ? Number(raw) : raw;
                    if (val !== (v ?? null)) save(val);
                  }}
                />
              )}
            </label>
          );
        })}
      </fieldset>
      {t.links.length > 0 && (
        <div>
          <h3>Linked tickets</h3>
          <ul className="links">
            {t.links.map((l) => (
              <li key={`${l.ticketId}-${l.kind}`}>
                <Link to={`/tickets/${l.ticketId}`}>
                  #{l.ticketId} {l.subject}
                </Link>{' '}
                <span className="muted small">
                  {l.kind} · {l.status}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {!readOnly && (
        <details className="merge-link">
          <summary>Merge or link</summary>
          <label>
            Other ticket number
            <input
              value={other}
              onChange={(e) => setOther(e.target.value)}
              inputMode="numeric"
              placeholder="#123"
            />
          </label>
          <div className="row">
            <select aria-label="Link kind" value={linkKind} onChange={(e) => setLinkKind(e.target.value)}>
              <option value="related">related</option>
              <option value="incident">incident of a problem</option>
              <option value="follow-up">follow-up</option>
            </select>
            <button
              type="button"
              disabled={!otherId}
              onClick={() =>
                void act(
                  () => api.tickets.link(t.id, { ticketId: otherId, kind: linkKind as never }),
                  `Linked #${otherId}`,
                )
              }
            >
              Link
            </button>
          </div>
          <button
            type="button"
            className="danger"
            disabled={!otherId}
            onClick={async () => {
              const into = otherId;
              const ok = await confirm(
                `Merge #${t.id} into #${into}? Its messages move there and this ticket closes.`,
                { title: 'Merge tickets', confirmLabel: `Merge into #${into}` },
              );
              if (!ok) return;
              void act(async () => {
                await api.tickets.merge(t.id, into);
                navigate(`/tickets/${into}`);
              }, `Merged into #${into}`);
            }}
          >
            Merge this ticket into #{otherId || '…'}
          </button>
          {msg && <p role="status">{msg}</p>}
          {confirmDialog}
        </details>
      )}
    </section>
  );
}
