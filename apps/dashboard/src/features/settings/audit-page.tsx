import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { type AuditEntryT, type AuditFilterT, api } from '../../lib/api.ts';
import { dateTime } from '../../ui/format.ts';
import { useDirectory } from '../../ui/use-directory.ts';

/** What each audited action means, in words; the select offers these (families end in a dot). */
const ACTIONS: Record<string, string> = {
  'auth.login': 'Signed in',
  'auth.password_changed': 'Changed their password',
  'auth.password_reset': 'Reset their password with an e-mailed link',
  'agent.invited': 'Invited an agent',
  'agent.invite_accepted': 'Accepted their invitation',
  'auth.2fa_enabled': 'Turned on two-factor sign-in',
  'auth.2fa_disabled': 'Turned off two-factor sign-in',
  'auth.recovery_code_used': 'Signed in with a recovery code',
  'agent.created': 'Invited an agent',
  'agent.role_changed': 'Changed an agent’s role',
  'agent.deactivated': 'Deactivated an agent',
  'agent.reactivated': 'Reactivated an agent',
  'agent.avatar_changed': 'Changed a profile picture',
  'agent.avatar_removed': 'Removed a profile picture',
  'team.deleted': 'Deleted a team',
  'tag.deleted': 'Deleted a tag',
  'token.created': 'Created an API token',
  'token.revoked': 'Revoked an API token',
  'macro.created': 'Created a macro',
  'macro.updated': 'Changed a macro',
  'macro.deleted': 'Deleted a macro',
  'ticket.merged': 'Merged tickets',
  'contact.merged': 'Merged customers',
  'contact.deleted': 'Deleted a customer',
  'email_inbox.created': 'Added an email inbox',
  'email_inbox.updated': 'Changed an email inbox',
  'email_inbox.deleted': 'Removed an email inbox',
  'email_inbox.secret_rotated': 'Changed an email inbox’s password',
  'chat.settings_updated': 'Changed the chat settings',
  'helpcenter.settings_updated': 'Changed the help center settings',
  'store_connection.created': 'Connected a store',
  'store_connection.updated': 'Changed a store connection',
  'store_connection.deleted': 'Disconnected a store',
  'store_connection.token_rotated': 'Changed a store’s access key',
  'commerce_policy.updated': 'Changed the refund policy',
};
const FAMILIES: Record<string, string> = {
  'auth.': 'Sign-in and security',
  'agent.': 'Agents',
  'token.': 'API tokens',
  'macro.': 'Macros',
  'order.': 'Order actions',
  'email_inbox.': 'Email inboxes',
  'store_connection.': 'Store connections',
};
const TARGETS: Record<string, string> = {
  ticket: 'ticket',
  agent: 'agent',
  contact: 'customer',
  email_inbox: 'inbox',
  store_connection: 'store',
  api_token: 'token',
  token: 'token',
};

const words = (key: string) =>
  key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[._]/g, ' ')
    .toLowerCase();

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The action in words: known ones from the table, order actions and others from their name. */
function actionText(action: string) {
  if (ACTIONS[action]) return ACTIONS[action];
  if (action.startsWith('order.')) return `Order: ${words(action.slice(6))}`;
  return sentence(words(action));
}

/** One detail value as text: lists joined, nested records as "key value" pairs, never JSON. */
function valueText(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.map((x) => valueText(x)).join(', ');
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${words(k)} ${valueText(x)}`)
      .join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function Details({ e }: { e: AuditEntryT }) {
  const dir = useDirectory();
  const name = (key: string, v: unknown) =>
    /agentid$/i.test(key) ? dir.agentName(Number(v)) : /teamid$/i.test(key) ? dir.teamName(Number(v)) : null;
  const entries = Object.entries(e.data);
  if (!entries.length) return null;
  return (
    <dl className="audit-details">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{sentence(words(k.replace(/Id$/, '')))}</dt>
          <dd>{name(k, v) ?? valueText(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Day (yyyy-mm-dd from a date input) → ISO time at the agent's local midnight. */
const dayStart = (day: string, plusDays = 0) => {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
};

export default function AuditPage() {
  const dir = useDirectory();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filter: AuditFilterT = {
    actor: actor === 'system' ? 'system' : actor ? Number(actor) : undefined,
    action: action || undefined,
    from: from ? dayStart(from) : undefined,
    to: to ? dayStart(to, 1) : undefined,
  };
  const q = useInfiniteQuery({
    queryKey: ['audit-log', filter],
    queryFn: ({ pageParam }) => api.auditLog(pageParam, filter),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) =>
      last.items.length === 100 ? last.items[last.items.length - 1]!.id : undefined,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = actor || action || from || to;
  return (
    <div className="stack audit">
      <h2>Audit log</h2>
      <form
        className="row audit-filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Who
          <select value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">Anyone</option>
            {dir.agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
            <option value="system">Shopdesk (no agent)</option>
          </select>
        </label>
        <label>
          What
          <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">Any action</option>
            <optgroup label="Kinds">
              {Object.entries(FAMILIES).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </optgroup>
            <optgroup label="Actions">
              {Object.entries(ACTIONS)
                .sort((a, b) => a[1].localeCompare(b[1]))
                .map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
            </optgroup>
          </select>
        </label>
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        {filtered && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setActor('');
              setAction('');
              setFrom('');
              setTo('');
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      <table className="grid audit-table">
        <thead>
          <tr>
            <th className="audit-when">When</th>
            <th className="audit-who">Who</th>
            <th>What</th>
            <th>Details</th>
            <th className="audit-ip">IP address</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td>{dateTime(e.createdAt)}</td>
              <td>{dir.agentName(e.actorAgentId) ?? 'Shopdesk'}</td>
              <td>
                {actionText(e.action)}
                {e.targetType && (
                  <span className="muted small">
                    {' '}
                    · {TARGETS[e.targetType] ?? words(e.targetType)}
                    {e.targetId ? ` ${e.targetType === 'ticket' ? '#' : ''}${e.targetId}` : ''}
                  </span>
                )}
              </td>
              <td>
                <Details e={e} />
              </td>
              <td className="small">{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!q.isLoading && items.length === 0 && (
        <p className="muted">{filtered ? 'No entries match these filters.' : 'Nothing recorded yet.'}</p>
      )}
      {q.hasNextPage && (
        <button type="button" onClick={() => void q.fetchNextPage()}>
          Load older entries
        </button>
      )}
    </div>
  );
}
