import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment } from 'react';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { ApiError } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { type ChatVisitorT, chatApi } from './chat-api.ts';
import './chat.css';

/**
 * Beside a chat ticket: where the shopper is now (page, browser, time zone), where they came from,
 * the pages they opened and whether the shop vouched for their identity. It refetches when the widget
 * reports a new page (`chat.visitor_page`) or anything else happens on the ticket.
 */
export default function VisitorSection({ ticket }: CustomerSectionProps) {
  const chat = ticket?.channel === 'chat';
  const ticketId = ticket?.id ?? 0;
  const key = ['chat', 'visitor', ticketId];
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: key,
    queryFn: () => chatApi.visitor(ticketId),
    enabled: chat,
    // "Online" lapses without an event when the shopper closes the page.
    refetchInterval: 30_000,
    retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2,
  });
  useRealtimeEvent((e) => {
    // Typing changes nothing shown here, and a read receipt is applied in place (seen-receipt.tsx).
    if (e.event === 'chat.visitor_typing' || e.event === 'chat.visitor_read') return;
    if (chat && e.ticketId === ticketId) void qc.invalidateQueries({ queryKey: key });
  });
  // Not a chat: the panel hides this section (see chat.css), so no empty box beside e-mail tickets.
  if (!chat) return <span hidden data-chat-visitor-none="" />;
  if (q.isLoading) return <p className="loading">Loading visitor…</p>;
  if (q.isError || !q.data)
    return (
      <p className="muted small">
        {q.error instanceof ApiError && q.error.status === 404
          ? 'No chat visitor is recorded for this ticket.'
          : 'Could not load the visitor.'}
      </p>
    );
  return <VisitorFacts v={q.data} />;
}

const fmtTime = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

/** The visitor's wall clock, if the widget told us their time zone. */
function localTime(tz: string) {
  try {
    return new Date().toLocaleTimeString([], { timeZone: tz, hour: '2-digit', minute: '2-digit' });
  } catch {
    return null;
  }
}

/** `https://shop.example/a?b` → `/a?b`: titles repeat across a shop, paths tell the pages apart. */
function pathOf(url: string) {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return url;
  }
}

function Url({ href, text }: { href: string; text?: string | null }) {
  // Only web links become clickable; anything else a page could report stays text.
  if (!/^https?:\/\//i.test(href)) return <span className="chat-url">{href}</span>;
  return (
    <a className="chat-url" href={href} target="_blank" rel="noopener noreferrer nofollow" title={href}>
      {text || href}
    </a>
  );
}

function VisitorFacts({ v }: { v: ChatVisitorT }) {
  const tzTime = v.timezone ? localTime(v.timezone) : null;
  const answers = Object.entries(v.prechat);
  return (
    <div className="chat-visitor stack" data-testid="chat-visitor">
      <p className="row">
        <span className={`chat-dot${v.online ? ' on' : ''}`} aria-hidden="true" />
        <span data-testid="visitor-online">{v.online ? 'On the site now' : 'Not on the site'}</span>
        {v.verified ? (
          <span
            className="badge chat-verified"
            data-testid="visitor-verified"
            title="Signed by the shop's backend"
          >
            ✓ Identity verified
          </span>
        ) : (
          <span
            className="badge"
            data-testid="visitor-verified"
            title="Name and e-mail are as the visitor typed them"
          >
            Not verified
          </span>
        )}
      </p>
      <dl className="chat-facts small">
        {(v.name || v.email) && (
          <>
            <dt>Visitor</dt>
            <dd>{[v.name, v.email].filter(Boolean).join(' · ')}</dd>
          </>
        )}
        <dt>Current page</dt>
        <dd data-testid="visitor-page">
          {v.pageUrl ? (
            <>
              {v.pageTitle && <span className="chat-page-title">{v.pageTitle}</span>}
              <Url href={v.pageUrl} />
            </>
          ) : (
            <span className="muted">unknown</span>
          )}
        </dd>
        <dt>Browser</dt>
        <dd data-testid="visitor-browser" title={v.userAgent ?? undefined}>
          {[v.browser, v.os].filter(Boolean).join(' on ') || <span className="muted">unknown</span>}
        </dd>
        <dt>Came from</dt>
        <dd data-testid="visitor-referrer">
          {v.referrer ? <Url href={v.referrer} /> : <span className="muted">direct or unknown</span>}
        </dd>
        <dt>Time zone</dt>
        <dd data-testid="visitor-timezone">
          {v.timezone ? (
            <>
              {v.timezone}
              {tzTime && <span className="muted"> · {tzTime} there now</span>}
            </>
          ) : (
            <span className="muted">unknown</span>
          )}
          {v.locale && <span className="muted"> · language {v.locale}</span>}
        </dd>
        <dt>Chat started</dt>
        <dd>{fmtTime(v.startedAt)}</dd>
        {v.rating && (
          <>
            <dt>Rating</dt>
            <dd>
              {'★'.repeat(v.rating.score)}
              {'☆'.repeat(5 - v.rating.score)}
              {v.rating.comment && ` “${v.rating.comment}”`}
            </dd>
          </>
        )}
        {answers.map(([k, val]) => (
          <Fragment key={k}>
            <dt>{k.replace(/_/g, ' ')}</dt>
            <dd>{val}</dd>
          </Fragment>
        ))}
      </dl>
      {v.pages.length > 0 && (
        <details className="chat-pages" open={v.pages.length <= 5}>
          <summary className="small">Pages visited ({v.pages.length})</summary>
          <ol className="small" data-testid="visitor-pages">
            {v.pages.map((p) => (
              <li key={`${p.at}-${p.url}`}>
                <Url href={p.url} text={pathOf(p.url)} />
                {p.title && <span className="muted"> · {p.title}</span>}{' '}
                <span className="muted">{new Date(p.at).toLocaleTimeString([], { timeStyle: 'short' })}</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}
