import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect, useRef, useState } from 'react';
import { composerActions } from '../../extensions/composer-actions.ts';
import { ApiError, api, type MessageT, type TicketDetailT } from '../../lib/api.ts';
import { useRealtime } from '../../lib/realtime-hooks.tsx';
import { useMe } from '../../lib/session.tsx';
import { useShortcut } from '../../lib/shortcuts.tsx';
import { bytes } from '../../ui/format.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { clearDraft, type Draft, loadDraft, saveDraft } from './drafts.ts';
import { ReplyWindow, TemplatePicker, useReplyPolicy } from './reply-window.tsx';

type Macro = { id: number; name: string; body: string; shared: boolean };
type Attachment = { filename: string; contentType: string; contentBase64: string; size: number };

export type ComposerHandle = {
  focus(mode: 'reply' | 'note'): void;
  /** The agent has an unsent reply or note in the box. */
  isComposing(): boolean;
};

/**
 * Reply or internal note. `seenIds` are the messages on screen when the agent started; before a reply goes
 * out we refetch, and if a teammate (or the customer) wrote since, the agent sees it and decides.
 */
export function Composer({
  ticket,
  seenIds,
  onSent,
  handleRef,
}: {
  ticket: TicketDetailT;
  seenIds: Set<number>;
  onSent: () => void;
  handleRef: React.RefObject<ComposerHandle | null>;
}) {
  const me = useMe();
  const qc = useQueryClient();
  const rt = useRealtime();
  const dir = useDirectory();
  const ws = me.workspace.id;
  const initial = loadDraft(ws, ticket.id);
  const [mode, setMode] = useState<'reply' | 'note'>(initial?.mode ?? 'reply');
  const [body, setBody] = useState(initial?.body ?? '');
  const [mentions, setMentions] = useState<number[]>(initial?.mentions ?? []);
  const [macroActions, setMacroActions] = useState<Record<string, unknown> | undefined>(
    initial?.macroActions,
  );
  const [files, setFiles] = useState<Attachment[]>([]);
  const [status, setStatus] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [collision, setCollision] = useState<MessageT[] | null>(null);
  const [mentionQuery, setMentionQuery] = useState<string | null>(null);
  const ta = useRef<HTMLTextAreaElement>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastTyping = useRef(0);
  // WhatsApp, Messenger, Instagram: free text only inside the channel's window (templates after it).
  const policy = useReplyPolicy(ticket, mode === 'reply').data;
  const closed = mode === 'reply' && policy?.freeText === false;
  const macros = useQuery({
    queryKey: ['macros'],
    queryFn: () => api.get<{ items: Macro[] }>('/api/v1/macros'),
  });

  handleRef.current = {
    focus(m) {
      setMode(m);
      setTimeout(() => ta.current?.focus(), 0);
    },
    isComposing: () => body.trim() !== '',
  };

  useEffect(() => {
    saveDraft(ws, ticket.id, { body, mode, mentions, macroActions } satisfies Draft);
  }, [ws, ticket.id, body, mode, mentions, macroActions]);

  useEffect(
    () => () => {
      clearTimeout(typingTimer.current);
    },
    [],
  );

  const announceTyping = () => {
    const now = Date.now();
    if (now - lastTyping.current > 3000) {
      rt.presence(ticket.id, 'typing');
      lastTyping.current = now;
    }
    clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(() => {
      rt.presence(ticket.id, 'viewing');
      lastTyping.current = 0;
    }, 4000);
  };

  const onChange = (v: string) => {
    setBody(v);
    if (mode === 'reply') announceTyping();
    const caret = ta.current?.selectionStart ?? v.length;
    const m = /(^|\s)@([\p{L}\w.-]*)$/u.exec(v.slice(0, caret));
    setMentionQuery(mode === 'note' && m ? m[2]!.toLowerCase() : null);
  };

  const pickMention = (a: { id: number; name: string }) => {
    const el = ta.current!;
    const caret = el.selectionStart;
    const before = body.slice(0, caret).replace(/@([\p{L}\w.-]*)$/u, `@${a.name} `);
    setBody(before + body.slice(caret));
    setMentions((m) => [...new Set([...m, a.id])]);
    setMentionQuery(null);
    setTimeout(() => {
      el.focus();
      el.setSelectionRange(before.length, before.length);
    }, 0);
  };

  const applyMacro = async (id: number) => {
    setError(null);
    try {
      const r = await api.post<{ body: string; actions: Record<string, unknown>; missing: string[] }>(
        `/api/v1/macros/${id}/render`,
        { ticketId: ticket.id },
      );
      setMode('reply');
      setBody((b) => (b.trim() ? `${b.trimEnd()}\n\n${r.body}` : r.body));
      setMacroActions(Object.keys(r.actions).length ? r.actions : undefined);
      if (typeof r.actions.status === 'string') setStatus(r.actions.status);
      setNotice(r.missing.length ? `No value for: ${r.missing.join(', ')} — check before sending.` : null);
      ta.current?.focus();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not apply the macro');
    }
  };

  // For composer actions (extensions): text goes where the caret was, even after focus moved away.
  const insertText = (text: string) => {
    const el = ta.current;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? start;
    const next = body.slice(0, start) + text + body.slice(end);
    setBody(next);
    setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    }, 0);
  };

  const addFiles = async (list: FileList | null) => {
    if (!list) return;
    const next: Attachment[] = [];
    for (const f of list) {
      if (f.size > 10 * 1024 * 1024) {
        setError(`${f.name} is larger than 10 MB`);
        continue;
      }
      const buf = new Uint8Array(await f.arrayBuffer());
      let bin = '';
      for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
      next.push({
        filename: f.name,
        contentType: f.type || 'application/octet-stream',
        contentBase64: btoa(bin),
        size: f.size,
      });
    }
    setFiles((f) => [...f, ...next]);
  };

  const send = async (force = false) => {
    if (!body.trim() || sending) return;
    setSending(true);
    setError(null);
    try {
      if (mode === 'reply' && !force) {
        const fresh = await api.tickets.get(ticket.id);
        const newer = fresh.messages.filter(
          (m) =>
            !seenIds.has(m.id) &&
            !(m.author.type === 'agent' && m.author.id === me.agent.id) &&
            m.kind !== 'note',
        );
        if (newer.length) {
          setCollision(newer);
          qc.setQueryData(['ticket', ticket.id], fresh);
          return;
        }
      }
      const attachments = files.map(({ size: _s, ...a }) => a);
      if (mode === 'reply')
        await api.tickets.reply(ticket.id, {
          body,
          attachments: attachments.length ? attachments : undefined,
          status: (status || undefined) as never,
        });
      else await api.tickets.note(ticket.id, { body, mentions: mentions.length ? mentions : undefined });
      if (mode === 'reply' && macroActions) {
        const { status: _st, ...rest } = macroActions as {
          status?: string;
          priority?: string;
          addTags?: string[];
        };
        if (Object.keys(rest).length) await api.tickets.update(ticket.id, rest as never).catch(() => {});
      }
      clearDraft(ws, ticket.id);
      setBody('');
      setFiles([]);
      setMentions([]);
      setMacroActions(undefined);
      setStatus('');
      setNotice(null);
      setCollision(null);
      rt.presence(ticket.id, 'viewing');
      onSent();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not send — your text is kept as a draft');
    } finally {
      setSending(false);
    }
  };

  useShortcut(
    { keys: 'ctrl+enter', description: 'Send', group: 'Composer', global: true },
    () => void send(),
  );

  const candidates =
    mentionQuery === null
      ? []
      : dir.agents
          .filter((a) => a.active && a.id !== me.agent.id && a.name.toLowerCase().includes(mentionQuery))
          .slice(0, 6);

  return (
    <section className={`composer composer-${mode}`} aria-label="Composer">
      <div className="tabs" role="tablist" aria-label="Message type">
        <button type="button" role="tab" aria-selected={mode === 'reply'} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" role="tab" aria-selected={mode === 'note'} onClick={() => setMode('note')}>
          Internal note
        </button>
        <span className="spacer" />
        <label className="inline">
          <span className="sr">Insert macro</span>
          <select
            aria-label="Insert macro"
            value=""
            onChange={(e) => e.target.value && void applyMacro(Number(e.target.value))}
          >
            <option value="">Macros…</option>
            {(macros.data?.items ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {collision && (
        <div className="collision" role="alertdialog" aria-labelledby="collision-title">
          <strong id="collision-title">
            {collision.length === 1 ? 'A new message arrived' : `${collision.length} new messages arrived`}{' '}
            since you opened this ticket
          </strong>
          {collision.map((m) => (
            <blockquote key={m.id}>
              <span className="muted small">{m.author.name ?? m.author.type}:</span>{' '}
              {m.bodyText.slice(0, 400)}
            </blockquote>
          ))}
          <div className="row">
            <button type="button" className="primary" onClick={() => void send(true)}>
              Send anyway
            </button>
            <button
              type="button"
              onClick={() => {
                for (const m of collision) seenIds.add(m.id);
                setCollision(null);
              }}
            >
              Review first
            </button>
          </div>
        </div>
      )}
      {mode === 'reply' && policy && <ReplyWindow policy={policy} />}
      {closed && policy?.templates && (
        <TemplatePicker
          ticket={ticket}
          onSent={() => {
            rt.presence(ticket.id, 'viewing');
            onSent();
          }}
        />
      )}
      <div className="compose-box">
        <textarea
          disabled={closed}
          ref={ta}
          aria-label={
            mode === 'reply'
              ? `Reply to the customer by ${ticket.channel}`
              : 'Internal note (type @ to mention)'
          }
          placeholder={
            mode === 'reply'
              ? `Reply by ${ticket.channel}…`
              : 'Internal note — only your team sees it. Type @ to mention.'
          }
          value={body}
          rows={6}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.currentTarget.blur();
            if (candidates.length && e.key === 'Enter') {
              e.preventDefault();
              pickMention(candidates[0]!);
            }
          }}
        />
        {candidates.length > 0 && (
          <ul className="mention-list" aria-label="Mention a teammate">
            {candidates.map((a) => (
              <li key={a.id}>
                <button type="button" onClick={() => pickMention(a)}>
                  @{a.name}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {files.length > 0 && (
        <ul className="pending-files">
          {files.map((f, i) => (
            <li key={`${f.filename}-${f.size}-${f.contentBase64.length}`}>
              {f.filename} <span className="muted small">{bytes(f.size)}</span>{' '}
              <button
                type="button"
                className="link"
                onClick={() => setFiles((x) => x.filter((_, j) => j !== i))}
              >
                remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {notice && <p className="notice small">{notice}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row composer-actions">
        {mode === 'reply' && (
          <label className="inline attach">
            Attach files
            <input type="file" multiple onChange={(e) => void addFiles(e.target.files)} className="sr" />
          </label>
        )}
        {composerActions.list().map((a) => (
          <Suspense key={a.id} fallback={null}>
            <a.component ticket={ticket} mode={mode} insertText={insertText} />
          </Suspense>
        ))}
        <span className="spacer" />
        {mode === 'reply' && (
          <label className="inline">
            and set
            <select
              aria-label="Status after sending"
              value={status}
              onChange={(e) => setStatus(e.target.value)}
            >
              <option value="">status unchanged</option>
              <option value="open">Open</option>
              <option value="pending">Pending</option>
              <option value="on-hold">On hold</option>
              <option value="solved">Solved</option>
            </select>
          </label>
        )}
        <button
          type="button"
          className="primary"
          disabled={!body.trim() || sending || closed}
          onClick={() => void send()}
        >
          {sending ? 'Sending…' : mode === 'note' ? 'Add note' : status ? `Send and set ${status}` : 'Send'}
        </button>
      </div>
    </section>
  );
}
