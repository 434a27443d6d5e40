import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useCallback, useRef, useState } from 'react';
import { customerSections, ticketBadges } from '../../extensions/index.ts';
import { ApiError, api, type TicketDetailT } from '../../lib/api.ts';
import { useTicketRoom } from '../../lib/realtime-hooks.tsx';
import { atLeast } from '../../lib/roles.ts';
import { Link, navigate, useParams } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { useShortcut } from '../../lib/shortcuts.tsx';
import { listPath, neighbour } from '../../lib/ticket-sequence.ts';
import { Avatar } from '../../shell/layout.tsx';
import { channelIcon } from '../../ui/format.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { Composer, type ComposerHandle } from './composer.tsx';
import { useFollowThread } from './follow-thread.ts';
import { Properties } from './properties.tsx';
import { Timeline } from './timeline.tsx';
import { useVisitorTyping } from './visitor-typing.ts';

export default function TicketScreen() {
  const id = Number(useParams().id);
  const me = useMe();
  const qc = useQueryClient();
  const dir = useDirectory();
  const q = useQuery({ queryKey: ['ticket', id], queryFn: () => api.tickets.get(id), enabled: id > 0 });
  const presence = useTicketRoom(id > 0 ? id : null).filter((p) => p.agentId !== me.agent.id);
  const composer = useRef<ComposerHandle | null>(null);
  const [flash, setFlash] = useState<string | null>(null);

  const t = q.data;
  const isComposing = useCallback(() => composer.current?.isComposing() ?? false, []);
  const thread = useFollowThread({
    ticketId: id,
    messages: t?.messages,
    myAgentId: me.agent.id,
    isComposing,
  });
  const seen = thread.seen;

  const visitorTyping = useVisitorTyping(id, t?.channel === 'chat');
  const writable = atLeast(me.agent.role, 'agent');
  const go = (step: 1 | -1) => {
    const n = neighbour(id, step);
    if (n) navigate(`/tickets/${n}`);
  };
  const update = async (changes: Record<string, unknown>, label: string) => {
    if (!t) return;
    try {
      await api.tickets.update(t.id, { ...changes, version: t.version } as never);
      setFlash(label);
    } catch (e) {
      setFlash(
        e instanceof ApiError && e.status === 409
          ? 'Someone changed this ticket meanwhile — reloaded, please check and try again.'
          : e instanceof ApiError
            ? e.message
            : 'Update failed',
      );
    }
    await qc.invalidateQueries({ queryKey: ['ticket', id] });
    void qc.invalidateQueries({ queryKey: ['tickets'] });
  };

  useShortcut({ keys: 'j', description: 'Next ticket', group: 'Ticket' }, () => go(1));
  useShortcut({ keys: 'k', description: 'Previous ticket', group: 'Ticket' }, () => go(-1));
  useShortcut(
    { keys: 'r', description: 'Reply', group: 'Ticket' },
    () => composer.current?.focus('reply'),
    writable,
  );
  useShortcut(
    { keys: 'n', description: 'Internal note', group: 'Ticket' },
    () => composer.current?.focus('note'),
    writable,
  );
  useShortcut(
    { keys: 'a', description: 'Assign to me', group: 'Ticket' },
    () => void update({ assigneeId: me.agent.id }, 'Assigned to you'),
    writable,
  );
  useShortcut(
    { keys: 's', description: 'Solve', group: 'Ticket' },
    () => void update({ status: 'solved' }, 'Solved'),
    writable,
  );
  useShortcut({ keys: 'u', description: 'Back to the list', group: 'Ticket' }, () => navigate(listPath()));

  if (q.isLoading) return <div className="loading">Loading ticket…</div>;
  if (q.isError || !t)
    return (
      <div className="empty-state">
        <h1>Ticket not found</h1>
        <p>{q.error instanceof ApiError ? q.error.message : ''}</p>
        <Link to="/inbox">Back to the inbox</Link>
      </div>
    );

  const typing = presence.filter((p) => p.state === 'typing');
  const badges = ticketBadges.list().filter((b) => b.placement === 'header');
  return (
    <div className="ticket">
      <section className="conversation" aria-label={`Ticket ${t.id}`}>
        <header className="ticket-head">
          <Link to={listPath()} className="back" aria-label="Back to the list">
            ←
          </Link>
          <span title={t.channel}>
            {channelIcon[t.channel]}
            <span className="sr">{t.channel}</span>
          </span>
          <h1>
            {t.subject} <span className="muted">#{t.id}</span>
          </h1>
          <span className={`status status-${t.status}`}>{t.status}</span>
          {badges.map((b) => (
            <b.component key={b.id} ticket={t} />
          ))}
          <span className="spacer" />
          <div className="presence">
            {presence.map((p) => (
              <Avatar
                key={p.agentId}
                name={p.name}
                size={26}
                url={dir.agentAvatar(p.agentId)}
                title={`${p.name} is ${p.state === 'typing' ? 'typing' : 'viewing'}`}
              />
            ))}
          </div>
        </header>
        {t.mergedIntoId && (
          <p className="notice">
            Merged into <Link to={`/tickets/${t.mergedIntoId}`}>#{t.mergedIntoId}</Link>.
          </p>
        )}
        {flash && (
          <p className="notice" role="status">
            {flash}
          </p>
        )}
        <div className="timeline-scroll" ref={thread.scroller} onScroll={thread.onScroll}>
          <Timeline
            ticket={t}
            agentName={dir.agentName}
            teamName={dir.teamName}
            agentAvatar={dir.agentAvatar}
          />
        </div>
        {thread.unread > 0 && (
          <button type="button" className="new-below" onClick={thread.follow}>
            ↓ {thread.unread === 1 ? '1 new message' : `${thread.unread} new messages`}
          </button>
        )}
        <p className="typing" aria-live="polite">
          {visitorTyping && <span className="visitor-typing">Visitor is typing… </span>}
          {typing.length > 0 &&
            `${typing.map((p) => p.name).join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing a reply…`}
        </p>
        {writable && !t.mergedIntoId && (
          <Composer
            key={t.id}
            ticket={t}
            seenIds={seen}
            handleRef={composer}
            onSent={() => {
              thread.follow();
              void qc.invalidateQueries({ queryKey: ['ticket', id] }).then(() => {
                const d = qc.getQueryData<TicketDetailT>(['ticket', id]);
                for (const m of d?.messages ?? []) seen.add(m.id);
              });
              void qc.invalidateQueries({ queryKey: ['tickets'] });
            }}
          />
        )}
      </section>
      <aside className="side" aria-label="Ticket details">
        <Properties ticket={t} onUpdate={update} readOnly={!writable} />
        {t.contact && <CustomerPanel contactId={t.contact.id} ticket={t} />}
      </aside>
    </div>
  );
}

function CustomerPanel({ contactId, ticket }: { contactId: number; ticket: TicketDetailT }) {
  const me = useMe();
  const contact = useQuery({ queryKey: ['contact', contactId], queryFn: () => api.contacts.get(contactId) });
  if (!contact.data) return <section className="panel">Loading customer…</section>;
  return (
    <section className="customer" aria-label="Customer">
      {customerSections
        .list()
        .filter((s) => atLeast(me.agent.role, s.minRole) && (!s.applies || s.applies(ticket)))
        .map((s) => (
          <details key={s.id} className="panel" open={!s.collapsed}>
            <summary>{s.title}</summary>
            <Suspense fallback={<p className="loading">Loading…</p>}>
              <s.component contact={contact.data} ticket={ticket} />
            </Suspense>
          </details>
        ))}
    </section>
  );
}
