import { useQuery } from '@tanstack/react-query';
import { navigate, useLocation } from '../../lib/router.tsx';
import { bytes, dateTime } from '../../ui/format.ts';
import { PlainBody, SafeHtml } from '../ticket/safe-html.tsx';
import { emailApi } from './email-api.ts';
import './email.css';

const KIND_LABEL: Record<string, string> = {
  reply: 'reply',
  'auto-ack': 'auto-acknowledgement',
  notice: 'notice',
  // Its body held an agent's invitation or reset link, a credential: only who and when are kept.
  account: 'agent account e-mail (link not kept)',
};

/**
 * The dev mailbox: with no relay configured, outbound mail is kept here instead of being sent, so a
 * fresh install can show the whole reply flow. `?id=<email>` or `?message=<ticket message>` opens one.
 */
export default function DevMailbox() {
  const loc = useLocation();
  const list = useQuery({
    queryKey: ['email', 'dev-mailbox'],
    queryFn: emailApi.devMailbox,
    refetchInterval: 5000,
  });
  const items = list.data?.items ?? [];
  const byMessage = Number(loc.search.get('message')) || null;
  const openId =
    Number(loc.search.get('id')) ||
    (byMessage ? items.find((i) => i.messageId === byMessage)?.id : null) ||
    null;
  return (
    <div className="stack">
      <h2>Dev mailbox</h2>
      <p className="muted small">
        Email that would have been sent if an SMTP relay were configured (replies and auto-acknowledgements of
        inboxes without a relay). Nothing here left the server.
      </p>
      {list.isLoading && <p className="loading">Loading…</p>}
      {list.data && items.length === 0 && <p className="muted">The dev mailbox is empty.</p>}
      {items.length > 0 && (
        <div className="dev-mailbox">
          <ul aria-label="Sent emails">
            {items.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  aria-current={m.id === openId ? 'true' : undefined}
                  onClick={() => navigate(`/settings/dev-mailbox?id=${m.id}`)}
                >
                  <strong>{m.subject || '(no subject)'}</strong>
                  <br />
                  <span className="small">to {m.to.join(', ')}</span>
                  <br />
                  <span className="muted small">
                    {KIND_LABEL[m.kind]}
                    {m.ticketId ? ` · ticket #${m.ticketId}` : ''} · {dateTime(m.createdAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {openId ? <OpenEmail id={openId} /> : <p className="muted">Choose an email to read it.</p>}
        </div>
      )}
    </div>
  );
}

function OpenEmail({ id }: { id: number }) {
  const q = useQuery({ queryKey: ['email', 'outbound', id], queryFn: () => emailApi.outbound(id) });
  if (q.isLoading) return <p className="loading">Loading…</p>;
  if (!q.data) return <p className="error">This email could not be loaded.</p>;
  const m = q.data;
  return (
    <article className="card" aria-label={`Email ${m.subject}`}>
      <h3>{m.subject || '(no subject)'}</h3>
      <dl className="email-headers" aria-label="Headers">
        {Object.entries(m.headers).map(([k, v]) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {m.html ? <SafeHtml html={m.html} title={`Email ${m.subject}`} /> : <PlainBody text={m.text} />}
      {m.attachments.length > 0 && (
        <ul className="small" aria-label="Attachments">
          {m.attachments.map((a) => (
            <li key={a.filename}>
              {a.filename} ({a.contentType}, {bytes(a.sizeBytes)})
            </li>
          ))}
        </ul>
      )}
      <p className="small">
        <a href={m.rawUrl} download>
          Download .eml
        </a>
        {m.ticketId && (
          <>
            {' · '}
            <a
              href={`/tickets/${m.ticketId}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/tickets/${m.ticketId}`);
              }}
            >
              Open ticket #{m.ticketId}
            </a>
          </>
        )}
      </p>
    </article>
  );
}
