import type {
  VisitorClientFrame,
  VisitorMessageAck,
  VisitorServerFrame,
  WidgetConversation,
  WidgetSession,
} from '@shopdesk/contracts';
import type { ChatUi, WidgetContext, WidgetIdentity, WidgetMessage } from './types.ts';
import { h, storageKey, store } from './types.ts';

/*
 * The conversation UI, loaded on first open (or at once for a returning visitor). Messages typed while
 * offline wait in a localStorage outbox with a client id, and are resent on reconnect until the server
 * acknowledges them; the server stores a client id once, so a resend never duplicates.
 */

const CSS = `
.sd-head{background:var(--sd-color);color:#fff;padding:14px 16px;display:flex;gap:10px;align-items:center}
.sd-head-text{flex:1;min-width:0}
.sd-title{font-weight:600;font-size:16px;margin:0}
.sd-sub{font-size:12px;opacity:.9;margin:2px 0 0}
.sd-avatar{width:34px;height:34px;border-radius:50%;background:rgba(255,255,255,.3);display:flex;align-items:center;justify-content:center;font-weight:600;overflow:hidden;flex:none}
.sd-avatar img{width:100%;height:100%;object-fit:cover}
.sd-x{all:unset;cursor:pointer;font-size:20px;padding:0 4px;color:#fff}
.sd-body{flex:1;overflow-y:auto;padding:12px;background:#f9fafb;display:flex;flex-direction:column;gap:6px}
.sd-note{font-size:13px;color:#4b5563;background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:10px;margin:0}
.sd-msg{max-width:80%;padding:8px 11px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;font-size:14px;margin:0}
.sd-msg a{color:inherit;text-decoration:underline}
.sd-msg.visitor{align-self:flex-end;background:var(--sd-color);color:#fff;border-bottom-right-radius:4px}
.sd-msg.agent{align-self:flex-start;background:#fff;border:1px solid #e5e7eb;border-bottom-left-radius:4px}
.sd-msg.pending{opacity:.6}
.sd-msg.failed{background:#fee2e2;color:#991b1b}
.sd-who{font-size:11px;color:#6b7280;margin:4px 0 0;align-self:flex-start}
.sd-meta{font-size:11px;color:#6b7280;align-self:flex-end;margin:0}
.sd-msg img{max-width:100%;border-radius:8px;display:block;margin-top:4px}
.sd-typing{font-size:12px;color:#6b7280;padding:0 14px 4px;min-height:18px;background:#f9fafb;margin:0}
.sd-compose{display:flex;gap:6px;padding:8px;border-top:1px solid #e5e7eb;align-items:flex-end;background:#fff}
.sd-input{flex:1;resize:none;border:1px solid #d1d5db;border-radius:10px;padding:8px 10px;font-size:14px;max-height:120px;min-height:38px;color:#111827;background:#fff;outline:none}
.sd-input:focus{border-color:var(--sd-color)}
.sd-icon{all:unset;cursor:pointer;font-size:18px;padding:6px;border-radius:8px;color:#4b5563}
.sd-icon:hover{background:#f3f4f6}
.sd-send{all:unset;cursor:pointer;background:var(--sd-color);color:#fff;border-radius:10px;padding:8px 12px;font-weight:600;font-size:14px}
.sd-emoji{display:none;flex-wrap:wrap;gap:2px;padding:6px 8px;border-top:1px solid #e5e7eb;background:#fff}
.sd-emoji.on{display:flex}
.sd-emoji button{all:unset;cursor:pointer;font-size:20px;padding:2px 4px}
.sd-form{display:flex;flex-direction:column;gap:8px;padding:12px;background:#fff;border:1px solid #e5e7eb;border-radius:10px}
.sd-form label{display:flex;flex-direction:column;gap:3px;font-size:12px;color:#374151}
.sd-form input,.sd-form select,.sd-form textarea{border:1px solid #d1d5db;border-radius:8px;padding:7px 9px;font-size:14px;color:#111827;background:#fff}
.sd-btn{all:unset;cursor:pointer;text-align:center;background:var(--sd-color);color:#fff;border-radius:8px;padding:8px 12px;font-weight:600}
.sd-link{all:unset;cursor:pointer;color:var(--sd-color);font-size:12px;text-decoration:underline}
.sd-foot{display:flex;justify-content:space-between;padding:4px 10px 8px;background:#fff;font-size:12px;color:#6b7280}
.sd-stars{display:flex;gap:4px}
.sd-stars button{all:unset;cursor:pointer;font-size:26px;color:#d1d5db}
.sd-stars button.on{color:#f59e0b}
.sd-err{color:#b91c1c;font-size:12px;margin:0}
`;

const EMOJI = [
  '😀',
  '😂',
  '😊',
  '😍',
  '🙏',
  '👍',
  '👎',
  '👋',
  '🎉',
  '❤️',
  '😢',
  '😮',
  '🤔',
  '😅',
  '🙌',
  '📦',
  '🚚',
  '💳',
  '✅',
  '❌',
];
const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

type Pending = { clientId: string; text: string; at: number };

/** Text with URLs made into links; everything stays text nodes, so HTML in a message is shown, not run. */
function linkify(text: string): Node[] {
  const out: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    if (m.index! > last) out.push(document.createTextNode(text.slice(last, m.index)));
    out.push(h('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer nofollow' }, m[0]));
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

const newClientId = () => {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
};

function formatWait(s: number) {
  if (s < 90) return 'a minute';
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  const hrs = Math.round(s / 3600);
  return hrs === 1 ? 'an hour' : `${hrs} hours`;
}

export function mount(ctx: WidgetContext): ChatUi {
  const { base, slug, config: cfg, panel } = ctx;
  const api = `${base}/api/v1/widget/${encodeURIComponent(slug)}`;
  const style = h('style');
  style.textContent = CSS;
  ctx.root.prepend(style);

  let token = store(storageKey(slug, 'token'));
  let session: WidgetSession | null = null;
  let conversation: WidgetConversation | null = null;
  const messages = new Map<number, WidgetMessage>();
  let outbox: Pending[] = (() => {
    try {
      return JSON.parse(store(storageKey(slug, 'outbox')) ?? '[]') as Pending[];
    } catch {
      return [];
    }
  })();
  const failed = new Map<string, string>();
  let ws: WebSocket | null = null;
  let ready = false;
  let retry = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let agentTyping: { name: string | null; until: number } | null = null;
  let lastTypingSent = 0;
  let typingStop: ReturnType<typeof setTimeout> | undefined;
  let showPrechat = false;
  let unread = 0;
  let lastAgent: { name: string | null; avatarUrl: string | null } | null = null;
  let rated = false;

  // Static frame
  const avatar = h('div', { class: 'sd-avatar', 'aria-hidden': 'true' });
  const title = h('p', { class: 'sd-title' }, cfg.title);
  const sub = h('p', { class: 'sd-sub' });
  const closeBtn = h('button', { class: 'sd-x', type: 'button', 'aria-label': 'Close chat' }, '×');
  closeBtn.addEventListener('click', () => (window as { Shopdesk?: { close(): void } }).Shopdesk?.close());
  const head = h(
    'div',
    { class: 'sd-head' },
    avatar,
    h('div', { class: 'sd-head-text' }, title, sub),
    closeBtn,
  );
  const body = h('div', { class: 'sd-body', 'aria-live': 'polite' });
  const typing = h('p', { class: 'sd-typing' });
  const input = h('textarea', {
    class: 'sd-input',
    rows: '1',
    placeholder: 'Write a message…',
    'aria-label': 'Message',
  });
  const fileInput = h('input', { type: 'file', hidden: '', accept: cfg.limits.uploadTypes.join(',') });
  const attachBtn = h('button', { class: 'sd-icon', type: 'button', 'aria-label': 'Attach a file' }, '📎');
  const emojiBtn = h('button', { class: 'sd-icon', type: 'button', 'aria-label': 'Emoji' }, '😊');
  const sendBtn = h('button', { class: 'sd-send', type: 'button' }, 'Send');
  const emojiBar = h('div', { class: 'sd-emoji' });
  for (const e of EMOJI) {
    const b = h('button', { type: 'button', 'aria-label': e }, e);
    b.addEventListener('click', () => {
      input.value += e;
      input.focus();
    });
    emojiBar.append(b);
  }
  const compose = h('div', { class: 'sd-compose' }, attachBtn, emojiBtn, input, sendBtn, fileInput);
  const transcriptLink = h('button', { class: 'sd-link', type: 'button' }, 'E-mail me this chat');
  const status = h('span', { class: 'sd-status' });
  const foot = h('div', { class: 'sd-foot' }, status, transcriptLink);
  panel.append(head, body, typing, emojiBar, compose, foot);

  function headerText() {
    if (!cfg.open) {
      const back = cfg.nextOpenAt
        ? ` We are back ${new Date(cfg.nextOpenAt).toLocaleString(ctx.locale ?? undefined, { weekday: 'long', hour: '2-digit', minute: '2-digit' })}.`
        : '';
      return `${cfg.awayMessage}${back}`;
    }
    if (lastAgent?.name) return `You are chatting with ${lastAgent.name}`;
    return cfg.typicalReplySeconds !== null
      ? `Typically replies in ${formatWait(cfg.typicalReplySeconds)}`
      : 'We reply as soon as we can';
  }

  function renderHeader() {
    sub.textContent = headerText();
    avatar.replaceChildren();
    if (lastAgent?.avatarUrl) avatar.append(h('img', { src: lastAgent.avatarUrl, alt: '' }));
    else avatar.textContent = (lastAgent?.name ?? cfg.workspace.name).slice(0, 1).toUpperCase();
    status.textContent = ready
      ? ''
      : navigator.onLine
        ? 'Connecting…'
        : 'Offline: messages will be sent when you are back';
  }

  function bubble(
    m: { from: string; text: string; attachments?: WidgetMessage['attachments'] },
    cls: string,
  ) {
    const el = h('p', { class: `sd-msg ${m.from} ${cls}`.trim() }, ...linkify(m.text));
    for (const a of m.attachments ?? []) {
      const url = `${base}${a.url}`;
      el.append(
        a.contentType.startsWith('image/')
          ? h('a', { href: url, target: '_blank', rel: 'noopener' }, h('img', { src: url, alt: a.filename }))
          : h('a', { href: url, target: '_blank', rel: 'noopener' }, `📄 ${a.filename}`),
      );
    }
    return el;
  }

  function render() {
    const atBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 40;
    const nodes: Node[] = [];
    if (cfg.greeting) nodes.push(h('p', { class: 'sd-note sd-greeting' }, cfg.greeting));
    if (!cfg.open && cfg.emailField !== 'off' && !session?.email)
      nodes.push(h('p', { class: 'sd-note' }, 'Leave your e-mail address and we will answer by e-mail.'));
    const sorted = [...messages.values()].sort((a, b) => a.id - b.id);
    const acked = new Set(sorted.map((m) => m.clientId).filter(Boolean));
    let prevFrom = '';
    for (const m of sorted) {
      if (m.from === 'agent' && prevFrom !== `agent:${m.author.name}`)
        nodes.push(h('p', { class: 'sd-who' }, m.author.name ?? cfg.workspace.name));
      prevFrom = m.from === 'agent' ? `agent:${m.author.name}` : 'visitor';
      nodes.push(bubble(m, ''));
    }
    for (const p of outbox)
      if (!acked.has(p.clientId)) nodes.push(bubble({ from: 'visitor', text: p.text }, 'pending'));
    for (const [, err] of failed) nodes.push(h('p', { class: 'sd-err' }, err));
    const lastVisitor = sorted.filter((m) => m.from === 'visitor').at(-1);
    if (lastVisitor && conversation && conversation.agentReadUpTo >= lastVisitor.id)
      nodes.push(h('p', { class: 'sd-meta sd-seen' }, 'Seen'));
    if (showPrechat) nodes.push(prechatForm());
    if (conversation?.ratingRequested && !conversation.rating && !rated) nodes.push(ratingForm());
    body.replaceChildren(...nodes);
    if (atBottom || nodes.length < 4) body.scrollTop = body.scrollHeight;
    renderHeader();
    markRead();
  }

  function renderTyping() {
    const on = agentTyping && agentTyping.until > Date.now();
    typing.textContent = on ? `${agentTyping!.name ?? 'Someone'} is typing…` : '';
  }
  setInterval(renderTyping, 1000);

  async function post<T>(path: string, payload: unknown): Promise<T> {
    const r = await fetch(`${api}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const json = (await r.json().catch(() => ({}))) as { error?: { message: string } };
    if (!r.ok)
      throw Object.assign(new Error(json.error?.message ?? `HTTP ${r.status}`), {
        status: r.status,
        body: json,
      });
    return json as T;
  }

  function applySession(s: WidgetSession) {
    session = s;
    token = s.token;
    store(storageKey(slug, 'token'), s.token);
    conversation = s.conversation;
    for (const m of s.messages) messages.set(m.id, m);
    const agent = s.messages.filter((m) => m.from === 'agent').at(-1);
    if (agent) lastAgent = agent.author;
    const needsForm = cfg.emailField !== 'off' || cfg.nameField !== 'off' || cfg.prechatFields.length > 0;
    showPrechat = needsForm && !s.prechatDone && s.messages.length === 0;
    render();
  }

  async function start(identity: WidgetIdentity | null) {
    try {
      applySession(
        await post<WidgetSession>('session', {
          token: token ?? undefined,
          identity: identity ?? undefined,
          locale: ctx.locale ?? navigator.language,
          timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          // Only a link from another site says where the shopper came from.
          referrer:
            document.referrer && !document.referrer.startsWith(location.origin)
              ? document.referrer.slice(0, 2000)
              : undefined,
        }),
      );
      connect();
    } catch (err) {
      status.textContent = (err as Error).message;
      setTimeout(() => void start(identity), 5000);
    }
  }

  function saveOutbox() {
    store(storageKey(slug, 'outbox'), outbox.length ? JSON.stringify(outbox) : null);
  }

  function send(frame: VisitorClientFrame) {
    if (ws && ready && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function flush() {
    for (const p of outbox)
      send({
        type: 'message',
        clientId: p.clientId,
        text: p.text,
        pageUrl: location.href,
        pageTitle: document.title.slice(0, 300),
      });
  }

  function disconnect() {
    ready = false;
    clearInterval(pingTimer);
    if (ws) {
      ws.onclose = null;
      ws.close();
      ws = null;
    }
  }

  function scheduleReconnect() {
    clearTimeout(reconnectTimer);
    if (!navigator.onLine) return; // the 'online' event reconnects
    const delay = Math.min(15_000, 500 * 2 ** retry++) * (0.8 + Math.random() * 0.4);
    reconnectTimer = setTimeout(connect, delay);
  }

  function connect() {
    if (!token || ws) return;
    const sock = new WebSocket(
      `${base.replace(/^http/, 'ws')}/api/v1/widget/${encodeURIComponent(slug)}/socket`,
    );
    ws = sock;
    sock.onopen = () => sock.send(JSON.stringify({ type: 'hello', token }));
    sock.onmessage = (e) => onFrame(JSON.parse(String(e.data)) as VisitorServerFrame);
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      ready = false;
      clearInterval(pingTimer);
      renderHeader();
      scheduleReconnect();
    };
  }

  function onFrame(f: VisitorServerFrame) {
    switch (f.type) {
      case 'ready':
        ready = true;
        retry = 0;
        if (f.conversation) conversation = f.conversation;
        clearInterval(pingTimer);
        pingTimer = setInterval(() => send({ type: 'ping' }), 25_000);
        send({ type: 'page', url: location.href, title: document.title.slice(0, 300) });
        flush();
        render();
        return;
      case 'ack':
        outbox = outbox.filter((p) => p.clientId !== f.clientId);
        saveOutbox();
        messages.set(f.message.id, f.message);
        render();
        return;
      case 'message': {
        const isNew = !messages.has(f.message.id);
        messages.set(f.message.id, f.message);
        if (f.conversation) conversation = f.conversation;
        if (f.message.from === 'agent') {
          lastAgent = f.message.author;
          agentTyping = null;
          renderTyping();
          if (isNew) {
            ctx.emit('message', f.message);
            if (!ctx.isOpen() || document.hidden) ctx.setUnread(++unread);
          }
        } else {
          outbox = outbox.filter((p) => p.clientId !== f.message.clientId);
          saveOutbox();
        }
        render();
        return;
      }
      case 'typing':
        agentTyping = f.typing ? { name: f.name, until: Date.now() + 6000 } : null;
        renderTyping();
        return;
      case 'read':
        if (conversation)
          conversation = { ...conversation, agentReadUpTo: Math.max(conversation.agentReadUpTo, f.upTo) };
        render();
        return;
      case 'conversation':
        conversation = f.conversation;
        render();
        return;
      case 'rating_request':
        if (conversation) conversation = { ...conversation, ratingRequested: true };
        rated = false;
        render();
        return;
      case 'error':
        if (f.clientId) {
          if (f.code === 'rate_limited') {
            setTimeout(flush, (f.retryAfterSeconds ?? 5) * 1000);
          } else {
            // Refused for good (too long, not allowed): drop it from the outbox and say why.
            outbox = outbox.filter((p) => p.clientId !== f.clientId);
            saveOutbox();
            failed.set(f.clientId, f.message);
            render();
          }
        } else if (f.code === 'unauthorized') {
          token = null;
          store(storageKey(slug, 'token'), null);
          disconnect();
          void start(ctx.identity);
        }
        return;
      case 'pong':
        return;
    }
  }

  function markRead() {
    if (!ctx.isOpen() || document.hidden) return;
    unread = 0;
    ctx.setUnread(0);
    const lastAgentMsg = [...messages.values()]
      .filter((m) => m.from === 'agent')
      .sort((a, b) => b.id - a.id)[0];
    if (
      lastAgentMsg &&
      conversation &&
      conversation.visitorReadUpTo < lastAgentMsg.id &&
      send({ type: 'read', upTo: lastAgentMsg.id })
    )
      conversation = { ...conversation, visitorReadUpTo: lastAgentMsg.id };
  }

  function submitText() {
    const text = input.value.trim();
    if (!text) return;
    if (text.length > cfg.limits.maxMessageChars) {
      failed.set('len', `Messages can be at most ${cfg.limits.maxMessageChars} characters`);
      render();
      return;
    }
    failed.delete('len');
    if (showPrechat && cfg.emailField === 'required') return;
    input.value = '';
    const p: Pending = { clientId: newClientId(), text, at: Date.now() };
    outbox.push(p);
    saveOutbox();
    send({
      type: 'message',
      clientId: p.clientId,
      text,
      pageUrl: location.href,
      pageTitle: document.title.slice(0, 300),
    });
    clearTimeout(typingStop);
    send({ type: 'typing', typing: false });
    render();
  }

  async function submitFile(file: File) {
    if (!token) return;
    const problem = !cfg.limits.uploadTypes.includes(file.type)
      ? `Files of type ${file.type || 'unknown'} cannot be sent`
      : file.size > cfg.limits.maxUploadBytes
        ? `Files can be at most ${Math.round(cfg.limits.maxUploadBytes / 1048576)} MB`
        : null;
    const id = newClientId();
    if (problem) {
      failed.set(id, problem);
      render();
      return;
    }
    const data = await new Promise<string>((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result).split(',')[1] ?? '');
      r.onerror = () => reject(r.error);
      r.readAsDataURL(file);
    });
    try {
      const ack = await post<VisitorMessageAck>('messages', {
        token,
        clientId: id,
        text: '',
        attachment: { filename: file.name, contentType: file.type, dataBase64: data },
        pageUrl: location.href,
      });
      messages.set(ack.message.id, ack.message);
    } catch (err) {
      failed.set(id, (err as Error).message);
    }
    render();
  }

  function prechatForm() {
    const fields: HTMLElement[] = [];
    const inputs: Record<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement> = {};
    const add = (
      key: string,
      label: string,
      el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
      required: boolean,
    ) => {
      el.setAttribute('name', key);
      if (required) el.setAttribute('required', '');
      inputs[key] = el;
      fields.push(h('label', {}, `${label}${required ? ' *' : ''}`, el));
    };
    if (cfg.nameField !== 'off')
      add('name', 'Name', h('input', { type: 'text', autocomplete: 'name' }), cfg.nameField === 'required');
    if (cfg.emailField !== 'off')
      add(
        'email',
        'E-mail',
        h('input', { type: 'email', autocomplete: 'email' }),
        cfg.emailField === 'required' || !cfg.open,
      );
    for (const f of cfg.prechatFields) {
      const el =
        f.type === 'select'
          ? h(
              'select',
              {},
              h('option', { value: '' }, '—'),
              ...f.options.map((o) => h('option', { value: o }, o)),
            )
          : f.type === 'textarea'
            ? h('textarea', { rows: '2' })
            : h('input', { type: f.type === 'tel' ? 'tel' : 'text' });
      add(`f:${f.key}`, f.label, el, f.required);
    }
    const err = h('p', { class: 'sd-err' });
    const go = h('button', { class: 'sd-btn', type: 'submit' }, 'Start chat');
    const form = h('form', { class: 'sd-form sd-prechat' }, ...fields, err, go);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = (k: string) => inputs[k]?.value.trim() || undefined;
      const custom: Record<string, string> = {};
      for (const f of cfg.prechatFields) if (v(`f:${f.key}`)) custom[f.key] = v(`f:${f.key}`)!;
      try {
        showPrechat = false;
        applySession(
          await post<WidgetSession>('prechat', { token, name: v('name'), email: v('email'), fields: custom }),
        );
        input.focus();
      } catch (ex) {
        showPrechat = true;
        err.textContent = (ex as Error).message;
      }
    });
    return form;
  }

  function ratingForm() {
    let score = 0;
    const stars = h('div', { class: 'sd-stars', role: 'radiogroup', 'aria-label': 'Rating' });
    const buttons = [1, 2, 3, 4, 5].map((n) => {
      const b = h('button', { type: 'button', 'aria-label': `${n} of 5` }, '★');
      b.addEventListener('click', () => {
        score = n;
        for (const [i, x] of buttons.entries()) x.classList.toggle('on', i < n);
      });
      stars.append(b);
      return b;
    });
    const comment = h('textarea', { rows: '2', placeholder: 'Anything to add? (optional)' });
    const err = h('p', { class: 'sd-err' });
    const go = h('button', { class: 'sd-btn', type: 'submit' }, 'Send rating');
    const form = h(
      'form',
      { class: 'sd-form sd-rating' },
      h('span', {}, 'How was this chat?'),
      stars,
      comment,
      err,
      go,
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!score) {
        err.textContent = 'Pick 1 to 5 stars';
        return;
      }
      try {
        conversation = await post<WidgetConversation>('rating', {
          token,
          score,
          comment: comment.value.trim() || undefined,
        });
        rated = true;
        render();
      } catch (ex) {
        err.textContent = (ex as Error).message;
      }
    });
    return form;
  }

  // Wiring
  sendBtn.addEventListener('click', submitText);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submitText();
    }
  });
  input.addEventListener('input', () => {
    if (Date.now() - lastTypingSent > 2000) {
      lastTypingSent = Date.now();
      send({ type: 'typing', typing: true });
    }
    clearTimeout(typingStop);
    typingStop = setTimeout(() => {
      lastTypingSent = 0;
      send({ type: 'typing', typing: false });
    }, 3000);
  });
  emojiBtn.addEventListener('click', () => emojiBar.classList.toggle('on'));
  attachBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (f) void submitFile(f);
  });
  transcriptLink.addEventListener('click', async () => {
    const email = session?.email ?? window.prompt('Send the transcript to which e-mail address?')?.trim();
    if (!email) return;
    try {
      await post('transcript', { token, email });
      status.textContent = `Transcript sent to ${email}`;
    } catch (err) {
      status.textContent = (err as Error).message;
    }
  });
  window.addEventListener('offline', () => {
    // Sockets can linger half-open without a network: treat offline as disconnected and queue.
    disconnect();
    renderHeader();
  });
  window.addEventListener('online', () => {
    retry = 0;
    disconnect();
    connect();
  });
  document.addEventListener('visibilitychange', markRead);
  transcriptLink.hidden = !cfg.emailChannel;

  render();
  void start(ctx.identity);

  return {
    opened() {
      render();
      input.focus();
    },
    identify(identity) {
      disconnect();
      void start(identity);
    },
  };
}
