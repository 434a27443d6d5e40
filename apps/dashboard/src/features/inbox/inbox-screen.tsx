import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { ticketBadges } from '../../extensions/index.ts';
import { ApiError, api, type TicketQuery, type TicketSummaryT } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link, navigate, useLocation, useParams } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { useShortcut } from '../../lib/shortcuts.tsx';
import { setTicketSequence } from '../../lib/ticket-sequence.ts';
import { Avatar } from '../../shell/layout.tsx';
import { ago, channelIcon, PRIORITIES, STATUSES } from '../../ui/format.ts';
import { useChannels } from '../../ui/use-channels.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { ViewDialog } from './view-dialog.tsx';
import { buildViews, type InboxCounts } from './views.ts';

const SORTS = [
  ['last_message_desc', 'Newest activity'],
  ['last_message_asc', 'Oldest activity (longest waiting)'],
  ['created_desc', 'Newest created'],
  ['created_asc', 'Oldest created'],
  ['sla_due_asc', 'SLA due soonest'],
] as const;

export default function InboxScreen() {
  const me = useMe();
  const qc = useQueryClient();
  const dir = useDirectory();
  const channels = useChannels();
  const param = useParams()['*'];
  const { search } = useLocation();
  const counts = useQuery({
    queryKey: ['inbox-counts'],
    queryFn: () => api.get<InboxCounts>('/api/v1/inbox/counts'),
  });
  const saved = useQuery({ queryKey: ['views', 'counts'], queryFn: () => api.views.list(true) });
  const views = buildViews(counts.data, dir.teams, saved.data?.items ?? []);
  // /inbox without a view lands where the work is: the view the agent used last, else the first of
  // My open, Unassigned, All open that has tickets (an empty "My open" is a poor first screen).
  const lastKey = `shopdesk.inbox.last.${me.workspace.id}.${me.agent.id}`;
  const landing = (() => {
    if (param) return null;
    const last = localStorage.getItem(lastKey);
    if (last && views.some((v) => v.key === last)) return last;
    if (!counts.data || !saved.data) return null;
    const c = counts.data;
    return c.myOpen > 0 ? 'my-open' : c.unassigned > 0 ? 'unassigned' : 'all-open';
  })();
  useEffect(() => {
    if (landing) navigate(`/inbox/${landing}${search.toString() ? `?${search}` : ''}`, { replace: true });
  }, [landing, search]);
  const viewKey = param || landing || 'my-open';
  useEffect(() => {
    if (param) localStorage.setItem(lastKey, param);
  }, [param, lastKey]);
  const view = views.find((v) => v.key === viewKey) ?? views[0]!;

  // Extra filters from the URL narrow the view (and can be saved as a new view).
  const extra: TicketQuery = {
    sort: (search.get('sort') as TicketQuery['sort']) ?? undefined,
    priority: (search.get('priority') as TicketQuery['priority']) ?? undefined,
    channel: (search.get('channel') as TicketQuery['channel']) ?? undefined,
    tag: search.get('tag') ?? undefined,
    sla: (search.get('sla') as TicketQuery['sla']) ?? undefined,
  };
  const query: TicketQuery = {
    ...view.query,
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v)),
  };
  const setFilter = (k: string, v: string) => {
    const p = new URLSearchParams(search);
    if (v) p.set(k, v);
    else p.delete(k);
    const s = p.toString();
    navigate(`/inbox/${view.key}${s ? `?${s}` : ''}`, { replace: true });
  };

  const list = useInfiniteQuery({
    queryKey: ['tickets', 'list', query],
    queryFn: ({ pageParam, signal }) => api.tickets.list({ ...query, limit: 50, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const tickets = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  useEffect(
    () =>
      setTicketSequence(
        tickets.map((t) => t.id),
        `/inbox/${view.key}`,
      ),
    [tickets, view.key],
  );

  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [cursor, setCursor] = useState(0);
  const [bulkMsg, setBulkMsg] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: selection resets when the view changes
  useEffect(() => {
    setSelected(new Set());
    setCursor(0);
  }, [view.key]);

  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => {
      if (entries[0]?.isIntersecting && list.hasNextPage && !list.isFetchingNextPage)
        void list.fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [list]);

  const canWrite = atLeast(me.agent.role, 'agent');
  const toggle = (id: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const bulk = async (changes: Parameters<typeof api.tickets.bulk>[0]['changes'], label: string) => {
    setBulkMsg(null);
    try {
      const r = await api.tickets.bulk({ ids: [...selected], changes });
      setBulkMsg(`${label}: ${r.updated} ticket${r.updated === 1 ? '' : 's'} updated`);
      setSelected(new Set());
      await qc.invalidateQueries({ queryKey: ['tickets'] });
      await qc.invalidateQueries({ queryKey: ['inbox-counts'] });
    } catch (e) {
      setBulkMsg(e instanceof ApiError ? e.message : 'Bulk update failed');
    }
  };

  const rowRefs = useRef<(HTMLElement | null)[]>([]);
  const move = (d: number) => {
    const next = Math.max(0, Math.min(tickets.length - 1, cursor + d));
    setCursor(next);
    rowRefs.current[next]?.focus();
  };
  useShortcut({ keys: 'j', description: 'Next ticket in the list', group: 'Inbox' }, () => move(1));
  useShortcut({ keys: 'k', description: 'Previous ticket in the list', group: 'Inbox' }, () => move(-1));
  useShortcut({ keys: 'x', description: 'Select / unselect the focused ticket', group: 'Inbox' }, () => {
    const t = tickets[cursor];
    if (t) toggle(t.id);
  });
  useShortcut({ keys: 'o', description: 'Open the focused ticket', group: 'Inbox' }, () => {
    const t = tickets[cursor];
    if (t) navigate(`/tickets/${t.id}`);
  });

  const [viewDialog, setViewDialog] = useState<'new' | 'edit' | null>(null);
  const current = saved.data?.items.find((s) => `view-${s.id}` === view.key);
  const saveView = async ({ name, shared }: { name: string; shared: boolean }) => {
    const { view: _v, ...filters } = query;
    const created = await api.views.create({
      name,
      shared,
      filters: { ...(current?.filters ?? {}), ...filters } as never,
    });
    await qc.invalidateQueries({ queryKey: ['views'] });
    navigate(`/inbox/view-${created.id}`);
  };

  let lastGroup = '';
  return (
    <div className="inbox">
      <nav className="views" aria-label="Views">
        {views.map((v) => {
          const header = v.group !== lastGroup ? <h2 key={`h-${v.group}`}>{v.group}</h2> : null;
          lastGroup = v.group;
          return [
            header,
            <Link
              key={v.key}
              to={`/inbox/${v.key}`}
              aria-current={v.key === view.key ? 'page' : undefined}
              data-view={v.key}
            >
              <span>{v.label}</span>
              <span className="count">
                {v.count ?? ''}
                {v.count !== undefined && <span className="sr"> tickets</span>}
              </span>
            </Link>,
          ];
        })}
      </nav>
      <section className="ticket-list" aria-label={`${view.label} tickets`}>
        <div className="list-head">
          <h1>{view.label}</h1>
          <label className="inline">
            <span className="sr">Sort</span>
            <select
              value={query.sort ?? 'last_message_desc'}
              onChange={(e) => setFilter('sort', e.target.value)}
            >
              {SORTS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            <span className="sr">Priority</span>
            <select value={extra.priority ?? ''} onChange={(e) => setFilter('priority', e.target.value)}>
              <option value="">Any priority</option>
              {PRIORITIES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <label className="inline">
            <span className="sr">Channel</span>
            <select value={extra.channel ?? ''} onChange={(e) => setFilter('channel', e.target.value)}>
              <option value="">Any channel</option>
              {[...new Set([...channels.names, ...(extra.channel ? [extra.channel] : [])])].map((c) => (
                <option key={c} value={c}>
                  {channels.label(c)}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            <input
              type="checkbox"
              checked={extra.sla === 'breached'}
              onChange={(e) => setFilter('sla', e.target.checked ? 'breached' : '')}
            />{' '}
            SLA breached
          </label>
          <input
            aria-label="Filter by tag"
            placeholder="Tag"
            defaultValue={extra.tag ?? ''}
            size={10}
            onKeyDown={(e) => {
              if (e.key === 'Enter') setFilter('tag', e.currentTarget.value.trim());
            }}
          />
          <button type="button" onClick={() => setViewDialog('new')}>
            Save as view
          </button>
          {current?.editable && (
            <button type="button" onClick={() => setViewDialog('edit')}>
              Edit view
            </button>
          )}
          {viewDialog === 'new' && <ViewDialog onSave={saveView} onClose={() => setViewDialog(null)} />}
          {viewDialog === 'edit' && current && (
            <ViewDialog
              view={current}
              onSave={async (v) => {
                await api.views.update(current.id, v);
                await qc.invalidateQueries({ queryKey: ['views'] });
              }}
              onDelete={async () => {
                await api.views.remove(current.id);
                await qc.invalidateQueries({ queryKey: ['views'] });
                navigate('/inbox');
              }}
              onClose={() => setViewDialog(null)}
            />
          )}
        </div>
        {selected.size > 0 && canWrite && (
          <BulkBar
            count={selected.size}
            onClear={() => setSelected(new Set())}
            onApply={bulk}
            agents={dir.assignable}
            myId={me.agent.id}
          />
        )}
        {bulkMsg && (
          <p className="notice" role="status">
            {bulkMsg}
          </p>
        )}
        <div className="rows">
          {tickets.length > 0 && canWrite && (
            <label className="inline select-all">
              <input
                type="checkbox"
                checked={selected.size === tickets.length}
                onChange={(e) =>
                  setSelected(e.target.checked ? new Set(tickets.map((t) => t.id)) : new Set())
                }
              />
              Select all {tickets.length} loaded
            </label>
          )}
          {tickets.map((t, i) => (
            <Row
              key={t.id}
              t={t}
              index={i}
              refFn={(el) => {
                rowRefs.current[i] = el;
              }}
              focused={i === cursor}
              selected={selected.has(t.id)}
              onToggle={canWrite ? () => toggle(t.id) : undefined}
              assignee={dir.agentName(t.assigneeId)}
            />
          ))}
          {list.isLoading && <p className="loading">Loading tickets…</p>}
          {list.isError && <p className="error">Could not load tickets: {String(list.error.message)}</p>}
          {!list.isLoading && tickets.length === 0 && (
            <p className="empty-state">No tickets here. Nice work.</p>
          )}
          <div ref={sentinel} className="sentinel">
            {list.isFetchingNextPage ? 'Loading more…' : ''}
          </div>
        </div>
      </section>
    </div>
  );
}

function Row({
  t,
  index,
  refFn,
  focused,
  selected,
  onToggle,
  assignee,
}: {
  t: TicketSummaryT;
  index: number;
  refFn: (el: HTMLElement | null) => void;
  focused: boolean;
  selected: boolean;
  onToggle?: () => void;
  assignee: string | null;
}) {
  const badges = ticketBadges.list().filter((b) => b.placement === 'list');
  const who = t.contact?.name || t.contact?.email || 'Unknown customer';
  return (
    <div
      className={`row-item${selected ? ' selected' : ''}${t.status === 'new' ? ' unread' : ''}`}
      data-ticket-id={t.id}
    >
      {onToggle && (
        <input type="checkbox" aria-label={`Select ticket ${t.id}`} checked={selected} onChange={onToggle} />
      )}
      <Link
        to={`/tickets/${t.id}`}
        className="row-link"
        ref={refFn as never}
        tabIndex={focused || index === 0 ? 0 : -1}
      >
        <span className="chan" title={t.channel}>
          {channelIcon[t.channel] ?? '•'}
          <span className="sr">{t.channel}</span>
        </span>
        <span className="who">{who}</span>
        <span className="subject">
          <strong>{t.subject}</strong> <span className="preview">{t.lastMessagePreview}</span>
        </span>
        <span className="meta">
          {t.tags.slice(0, 3).map((tag) => (
            <span key={tag} className="tag">
              {tag}
            </span>
          ))}
          {badges.map((b) => (
            // A lazy badge loading must not suspend the whole list.
            <Suspense key={b.id} fallback={null}>
              <b.component ticket={t} />
            </Suspense>
          ))}
          {t.priority !== 'normal' && <span className={`prio prio-${t.priority}`}>{t.priority}</span>}
          <span className={`status status-${t.status}`}>{t.status}</span>
          {assignee ? (
            <Avatar name={assignee} size={22} title={`Assigned to ${assignee}`} />
          ) : (
            <span className="unassigned">—</span>
          )}
          <time dateTime={t.lastMessageAt} title={new Date(t.lastMessageAt).toLocaleString()}>
            {ago(t.lastMessageAt)}
          </time>
        </span>
      </Link>
    </div>
  );
}

function BulkBar({
  count,
  onClear,
  onApply,
  agents,
  myId,
}: {
  count: number;
  onClear: () => void;
  onApply: (changes: Record<string, unknown>, label: string) => Promise<void>;
  agents: { id: number; name: string }[];
  myId: number;
}) {
  const [tag, setTag] = useState('');
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Bulk actions">
      <strong>{count} selected</strong>
      <button type="button" className="primary" onClick={() => void onApply({ status: 'solved' }, 'Solved')}>
        Solve
      </button>
      <label className="inline">
        Status
        <select
          value=""
          onChange={(e) =>
            e.target.value && void onApply({ status: e.target.value }, `Status ${e.target.value}`)
          }
        >
          <option value="">Set…</option>
          {STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label className="inline">
        Assign
        <select
          value=""
          onChange={(e) => {
            const v = e.target.value;
            if (!v) return;
            void onApply({ assigneeId: v === 'none' ? null : Number(v) }, 'Assigned');
          }}
        >
          <option value="">Choose…</option>
          <option value={myId}>Me</option>
          <option value="none">Nobody</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (tag.trim())
            void onApply({ addTags: [tag.trim()] }, `Tagged ${tag.trim()}`).then(() => setTag(''));
        }}
      >
        <input
          aria-label="Tag to add"
          placeholder="Add tag"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
          size={10}
        />
        <button type="submit">Tag</button>
      </form>
      <span className="spacer" />
      <button type="button" className="ghost" onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}
