import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { ComposerActionProps } from '../../extensions/composer-actions.ts';
import { hcApi } from './helpcenter-api.ts';
import './helpcenter.css';

const unescapeHtml = (s: string) =>
  s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!,
  );

/** The server's snippet is escaped text with <mark> around matches: rebuilt as elements, never as HTML. */
function highlighted(snippet: string) {
  const parts = snippet.split(/<mark>(.*?)<\/mark>/);
  let at = 0;
  return parts.map((part, i) => {
    at += part.length + 1;
    return i % 2 ? <mark key={`m${at}`}>{unescapeHtml(part)}</mark> : unescapeHtml(part);
  });
}

/**
 * Composer action: search the published help center and insert "Title: URL" at the caret. Replies only
 * offer public articles (the customer must be able to open the link); notes also offer internal ones.
 */
export default function ArticleLinkAction({ mode, insertText }: ComposerActionProps) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(q.trim()), 200);
    return () => clearTimeout(t);
  }, [q]);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);
  const internal = mode === 'note';
  const results = useQuery({
    queryKey: ['hc', 'composer-search', debounced, internal],
    queryFn: () => hcApi.search(debounced, internal),
    enabled: open && debounced.length > 0,
    staleTime: 30_000,
  });
  const pick = (h: { title: string; url: string }) => {
    insertText(`${h.title}: ${h.url}`);
    setOpen(false);
    setQ('');
  };
  return (
    <span className="hc-link-action">
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Insert article link
      </button>
      {open && (
        <div className="hc-link-popover" role="dialog" aria-label="Insert a help center article link">
          <input
            ref={input}
            type="search"
            aria-label="Search help center articles"
            placeholder="Search published articles…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setOpen(false);
              const first = results.data?.hits[0];
              if (e.key === 'Enter' && first) {
                e.preventDefault();
                pick(first);
              }
            }}
          />
          {results.data?.correctedQuery && (
            <p className="muted small">Showing results for “{results.data.correctedQuery}”</p>
          )}
          {results.data && results.data.hits.length === 0 && (
            <p className="muted small">No published article matches.</p>
          )}
          <ul>
            {results.data?.hits.map((h) => (
              <li key={`${h.articleId}-${h.locale}`}>
                <button type="button" onClick={() => pick(h)}>
                  <strong>{h.title}</strong>
                  {h.visibility === 'internal' && <span className="badge hc-internal">internal</span>}
                  <span className="muted small"> · {h.locale}</span>
                  <span className="snippet small">{highlighted(h.snippet)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </span>
  );
}
