import type { ReplyPolicy, WhatsAppTemplate } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, type TicketDetailT } from '../../lib/api.ts';

/** Channels whose replies follow a messaging window (docs/messaging-apps.md). */
const WINDOWED = new Set(['whatsapp', 'messenger', 'instagram']);

/** Whether free text may go out now on this ticket's channel, until when, and the rule in words. */
export function useReplyPolicy(ticket: TicketDetailT, enabled: boolean) {
  return useQuery({
    // Refetched when a message arrives (the customer writing reopens the window) and every minute.
    queryKey: ['reply-policy', ticket.id, ticket.messages.length],
    queryFn: () => api.get<ReplyPolicy>(`/api/v1/tickets/${ticket.id}/reply-policy`),
    enabled: enabled && WINDOWED.has(ticket.channel),
    refetchInterval: 60_000,
  });
}

function left(iso: string) {
  const min = Math.max(0, Math.round((new Date(iso).getTime() - Date.now()) / 60_000));
  return min >= 60 ? `${Math.floor(min / 60)} h ${min % 60} min left` : `${min} min left`;
}

/** The window's state above the reply box: time left while open, the rule when closed. */
export function ReplyWindow({ policy }: { policy: ReplyPolicy }) {
  if (!policy.rule) return null;
  return (
    <p
      className={policy.freeText ? 'notice small reply-window' : 'error small reply-window'}
      role="status"
      aria-label="Reply window"
    >
      <strong>
        {policy.freeText
          ? `Window open${policy.closesAt ? ` — ${left(policy.closesAt)}` : ''}`
          : 'Window closed'}
      </strong>
      {'. '}
      {policy.rule}.
    </p>
  );
}

const render = (body: string, vars: string[]) =>
  body.replace(/\{\{(\d{1,3})\}\}/g, (whole, n: string) => vars[Number(n) - 1] || whole);

/** Outside WhatsApp's window: pick an approved template, fill its variables, preview, send. */
export function TemplatePicker({ ticket, onSent }: { ticket: TicketDetailT; onSent: () => void }) {
  const templates = useQuery({
    queryKey: ['templates', ticket.id],
    queryFn: () => api.get<{ items: WhatsAppTemplate[] }>(`/api/v1/tickets/${ticket.id}/templates`),
    retry: false,
  });
  const approved = (templates.data?.items ?? []).filter((t) => t.status === 'APPROVED');
  const [key, setKey] = useState('');
  const [vars, setVars] = useState<string[]>([]);
  const [media, setMedia] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const t = approved.find((x) => `${x.name}|${x.language}` === key);
  const mediaHeader =
    t?.header && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(t.header.format) ? t.header.format : null;
  const preview = t ? render(t.body, vars) : '';
  const ready =
    !!t && vars.length === t.variables && vars.every((v) => v.trim()) && (!mediaHeader || media.trim());

  const send = async () => {
    if (!t || !ready) return;
    setSending(true);
    setError(null);
    try {
      await api.tickets.reply(ticket.id, {
        body: preview,
        template: {
          name: t.name,
          language: t.language,
          variables: vars,
          ...(mediaHeader ? { headerMediaUrl: media.trim() } : {}),
        },
      } as never);
      setKey('');
      setVars([]);
      setMedia('');
      onSent();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not send the template');
    } finally {
      setSending(false);
    }
  };

  if (templates.isError)
    return (
      <p className="error small" role="alert">
        {templates.error instanceof ApiError ? templates.error.message : 'The templates could not be read'}
      </p>
    );
  return (
    <section className="stack template-picker" aria-label="Send a template">
      <label>
        Approved template
        <select
          value={key}
          onChange={(e) => {
            setKey(e.target.value);
            const next = approved.find((x) => `${x.name}|${x.language}` === e.target.value);
            setVars(Array.from({ length: next?.variables ?? 0 }, () => ''));
          }}
        >
          <option value="">
            {templates.isLoading ? 'Loading templates…' : `Choose (${approved.length} approved)`}
          </option>
          {approved.map((x) => (
            <option key={`${x.name}|${x.language}`} value={`${x.name}|${x.language}`}>
              {x.name} · {x.language} · {x.category.toLowerCase()}
            </option>
          ))}
        </select>
      </label>
      {t && mediaHeader && (
        <label>
          {mediaHeader.toLowerCase()} header link
          <input
            type="url"
            value={media}
            onChange={(e) => setMedia(e.target.value)}
            placeholder="https://…"
          />
        </label>
      )}
      {vars.map((v, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: template variables are positional ({{1}}, {{2}} …)
        <label key={i}>
          {`Variable {{${i + 1}}}`}
          <input
            value={v}
            onChange={(e) => setVars((xs) => xs.map((x, j) => (j === i ? e.target.value : x)))}
          />
        </label>
      ))}
      {t && (
        <div className="small" role="note" aria-label="Template preview">
          {preview}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" className="primary" disabled={!ready || sending} onClick={() => void send()}>
          {sending ? 'Sending…' : 'Send template'}
        </button>
      </div>
    </section>
  );
}
