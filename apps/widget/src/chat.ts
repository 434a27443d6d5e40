import type {
  VisitorClientFrame,
  VisitorMessageAck,
  VisitorServerFrame,
  WidgetConversation,
  WidgetSession,
} from '@shopdesk/contracts';
import { fill, type Strings, stringsFor } from './strings.ts';
import type { ChatUi, WidgetContext, WidgetMessage } from './types.ts';
import { h, storageKey, store } from './types.ts';

/*
 * The conversation UI, loaded on first open (or at once for a returning visitor). Messages typed while
 * offline wait in a localStorage outbox with a client id, and are resent on reconnect until the server
 * acknowledges them; the server stores a client id once, so a resend never duplicates. Messages typed
 * before the pre-chat form is answered (and stored) wait in the outbox too, and go out right after it.
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
.sd-list,.sd-forms{display:flex;flex-direction:column;gap:6px}
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
.sd-fail{align-self:flex-end;display:flex;gap:8px;align-items:center;font-size:12px;color:#b91c1c;margin:0}
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

type Pending = { clientId: string; text: string; at: number; sentAt?: number; error?: string };
type Failed = { clientId: string; text: string; error: string };

/** Widget ping cadence, and how long a pong may take before the socket counts as dead. */
const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
/** A sent message without an ack after this long is shown as not sent (with Retry). */
const ACK_TIMEOUT_MS = 20_000;

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

function formatWait(t: Strings, s: number) {
  if (s < 90) return t.minute;
  if (s < 3600) return fill(t.minutes, Math.round(s / 60));
  const hrs = Math.round(s / 3600);
  return hrs === 1 ? t.hour : fill(t.hours, hrs);
}

export function mount(ctx: WidgetContext): ChatUi {
  const { base, slug, config: cfg, panel } = ctx;
  const api = `${base}/api/v1/widget/${encodeURIComponent(slug)}`;
  const style = h('style');
  style.textContent = CSS;
  ctx.root.prepend(style);

  let locale = ctx.locale;
  let t = stringsFor(locale ?? navigator.language);
  let identity = ctx.identity;
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
  let failed: Failed[] = [];
  let notice: string | null = null;
  let ws: WebSocket | null = null;
  let ready = false;
  let retry = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let agentTyping: { name: string | null; until: number } | null = null;
  let lastTypingSent = 0;
  let typingStop: ReturnType<typeof setTimeout> | undefined;
  let showPrechat = false;
  /** The pre-chat answers are on their way to the server: messages wait for them. */
  let prechatSaving = false;
  let unread = 0;
  let lastAgent: { name: string | null; avatarUrl: string | null } | null = null;
  let rated = false;
  // Forms keep their element (and so what the shopper typed or picked) across renders; they are
  // rebuilt only when what they are for changes.
  let prechatEl: HTMLFormElement | null = null;
  let ratingEl: { form: HTMLFormElement; conversationId: number } | null = null;
  let awayEl: HTMLFormElement | null = null;
  let transcriptEl: HTMLFormElement | null = null;

  // Static frame
  const avatar = h('div', { class: 'sd-avatar', 'aria-hidden': 'true' });
  const title = h('p', { class: 'sd-title' }, cfg.title);
  const sub = h('p', { class: 'sd-sub' });
  const closeBtn = h('button', { class: 'sd-x', type: 'button' }, '×');
  closeBtn.addEventListener('click', () => (window as { Shopdesk?: { close(): void } }).Shopdesk?.close());
  const head = h(
    'div',
    { class: 'sd-head' },
    avatar,
    h('div', { class: 'sd-head-text' }, title, sub),
    closeBtn,
  );
  const list = h('div', { class: 'sd-list' });
  const forms = h('div', { class: 'sd-forms' });
  const body = h('div', { class: 'sd-body', 'aria-live': 'polite' }, list, forms);
  const typing = h('p', { class: 'sd-typing' });
  const input = h('textarea', { class: 'sd-input', rows: '1' });
  const fileInput = h('input', { type: 'file', hidden: '', accept: cfg.limits.uploadTypes.join(',') });
  const attachBtn = h('button', { class: 'sd-icon', type: 'button' }, '📎');
  const emojiBtn = h('button', { class: 'sd-icon', type: 'button' }, '😊');
  const sendBtn = h('button', { class: 'sd-send', type: 'button' });
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
  const transcriptLink = h('button', { class: 'sd-link', type: 'button' });
  const status = h('span', { class: 'sd-status' });
  const foot = h('div', { class: 'sd-foot' }, status, transcriptLink);
  panel.append(head, body, typing, emojiBar, compose, foot);

  function applyStrings() {
    closeBtn.setAttribute('aria-label', t.close);
    input.placeholder = t.placeholder;
    input.setAttribute('aria-label', t.message);
    attachBtn.setAttribute('aria-label', t.attach);
    emojiBtn.setAttribute('aria-label', t.emoji);
    sendBtn.textContent = t.send;
    transcriptLink.textContent = t.transcript;
  }
  applyStrings();

  /** Whether the pre-chat form must be answered before a message can be stored. */
  function prechatRequired() {
    if (!showPrechat) return false;
    return (
      cfg.nameField === 'required' ||
      cfg.emailField === 'required' ||
      cfg.prechatFields.some((f) => f.required)
    );
  }
  const held = () => prechatSaving || prechatRequired();

  function headerText() {
    if (!cfg.open) {
      const back = cfg.nextOpenAt
        ? ` ${fill(
            t.back,
            new Date(cfg.nextOpenAt).toLocaleString(locale ?? undefined, {
              weekday: 'long',
              hour: '2-digit',
              minute: '2-digit',
            }),
          )}`
        : '';
      return `${cfg.awayMessage}${back}`;
    }
    if (lastAgent?.name) return fill(t.chattingWith, lastAgent.name);
    return cfg.typicalReplySeconds !== null
      ? fill(t.typical, formatWait(t, cfg.typicalReplySeconds))
      : t.asap;
  }

  function renderHeader() {
    sub.textContent = headerText();
    avatar.replaceChildren();
    if (lastAgent?.avatarUrl) avatar.append(h('img', { src: lastAgent.avatarUrl, alt: '' }));
    else avatar.textContent = (lastAgent?.name ?? cfg.workspace.name).slice(0, 1).toUpperCase();
    status.textContent = ready ? (notice ?? '') : navigator.onLine ? t.connecting : t.offline;
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

  /** A message the server refused or never acknowledged: shown with why, and what can be done. */
  function failure(text: string, error: string, action: { label: string; run(): void }) {
    const b = h('button', { class: 'sd-link', type: 'button' }, action.label);
    b.addEventListener('click', action.run);
    return [
      bubble({ from: 'visitor', text }, 'failed'),
      h('p', { class: 'sd-fail' }, fill(t.notSent, error), b),
    ];
  }

  /** Outside business hours, for a shopper whose address we do not have yet. */
  function wantsAwayCard() {
    return !cfg.open && !!session && !session.verified && !session.email && !showPrechat;
  }

  function render() {
    const atBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 40;
    const nodes: Node[] = [];
    if (cfg.greeting) nodes.push(h('p', { class: 'sd-note sd-greeting' }, cfg.greeting));
    if (!cfg.open && session?.email)
      nodes.push(h('p', { class: 'sd-note sd-by-email' }, fill(t.byEmail, session.email)));
    const sorted = [...messages.values()].sort((a, b) => a.id - b.id);
    const acked = new Set(sorted.map((m) => m.clientId).filter(Boolean));
    let prevFrom = '';
    for (const m of sorted) {
      if (m.from === 'agent' && prevFrom !== `agent:${m.author.name}`)
        nodes.push(h('p', { class: 'sd-who' }, m.author.name ?? cfg.workspace.name));
      prevFrom = m.from === 'agent' ? `agent:${m.author.name}` : 'visitor';
      nodes.push(bubble(m, ''));
    }
    for (const p of outbox) {
      if (acked.has(p.clientId)) continue;
      if (p.error) nodes.push(...failure(p.text, p.error, { label: t.retry, run: () => resend(p.clientId) }));
      else nodes.push(bubble({ from: 'visitor', text: p.text }, 'pending'));
    }
    for (const f of failed)
      nodes.push(
        ...failure(f.text, f.error, {
          label: t.remove,
          run: () => {
            failed = failed.filter((x) => x !== f);
            render();
          },
        }),
      );
    if (held() && outbox.length) nodes.push(h('p', { class: 'sd-err sd-hold' }, t.hold));
    const lastVisitor = sorted.filter((m) => m.from === 'visitor').at(-1);
    if (lastVisitor && conversation && conversation.agentReadUpTo >= lastVisitor.id)
      nodes.push(h('p', { class: 'sd-meta sd-seen' }, t.seen));
    list.replaceChildren(...nodes);
    renderForms();
    if (atBottom || nodes.length < 4) body.scrollTop = body.scrollHeight;
    renderHeader();
    markRead();
  }

  function renderForms() {
    if (!showPrechat) prechatEl = null;
    else prechatEl ??= prechatForm();
    if (!wantsAwayCard()) awayEl = null;
    else awayEl ??= awayForm();
    const rating = conversation?.ratingRequested && !conversation.rating && !rated ? conversation.id : null;
    if (rating === null) ratingEl = null;
    else if (ratingEl?.conversationId !== rating) ratingEl = { form: ratingForm(), conversationId: rating };
    const want = [awayEl, prechatEl, ratingEl?.form, transcriptEl].filter((x): x is HTMLFormElement => !!x);
    const have = [...forms.children];
    // Only a change of forms touches the DOM: moving a form would drop the focus of a field in it.
    if (want.length !== have.length || want.some((f, i) => f !== have[i])) forms.replaceChildren(...want);
  }

  function renderTyping() {
    const on = agentTyping && agentTyping.until > Date.now();
    typing.textContent = on ? fill(t.typing, agentTyping!.name ?? t.someone) : '';
  }
  setInterval(() => {
    renderTyping();
    // A message that went out but was never acknowledged is not left pending for ever.
    const stale = outbox.filter((p) => !p.error && p.sentAt && Date.now() - p.sentAt > ACK_TIMEOUT_MS);
    if (!stale.length) return;
    for (const p of stale) p.error = t.noAck;
    render();
  }, 1000);

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
    if (session && session.visitorId !== s.visitorId) {
      // Another shopper (signed in, signed out): nothing of the previous one stays on screen.
      messages.clear();
      failed = [];
      lastAgent = null;
      prechatEl = null;
      if (session.verified) {
        outbox = [];
        saveOutbox();
      }
    }
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

  async function start() {
    try {
      applySession(
        await post<WidgetSession>('session', {
          token: token ?? undefined,
          identity: identity ?? undefined,
          locale: locale ?? navigator.language,
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
      setTimeout(() => void start(), 5000);
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

  function sendPending(p: Pending) {
    if (held()) return;
    const sent = send({
      type: 'message',
      clientId: p.clientId,
      text: p.text,
      pageUrl: location.href,
      pageTitle: document.title.slice(0, 300),
    });
    if (sent) p.sentAt = Date.now();
  }

  /** (Re)sends everything unacknowledged; the server stores each client id once. */
  function flush() {
    for (const p of outbox) {
      p.error = undefined;
      sendPending(p);
    }
  }

  function resend(clientId: string) {
    const p = outbox.find((x) => x.clientId === clientId);
    if (!p) return;
    p.error = undefined;
    sendPending(p);
    render();
  }

  function disconnect() {
    ready = false;
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
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

  function ping() {
    if (!send({ type: 'ping' })) return;
    clearTimeout(pongTimer);
    // A half-open socket (laptop lid, mobile network switch) accepts sends and never answers.
    pongTimer = setTimeout(() => {
      disconnect();
      renderHeader();
      scheduleReconnect();
    }, PONG_TIMEOUT_MS);
  }

  function connect() {
    if (!token || ws) return;
    const sock = new WebSocket(
      `${base.replace(/^http/, 'ws')}/api/v1/widget/${encodeURIComponent(slug)}/socket`,
    );
    ws = sock;
    sock.onopen = () => sock.send(JSON.stringify({ type: 'hello', token }));
    sock.onmessage = (e) => {
      clearTimeout(pongTimer); // anything heard proves the socket alive
      onFrame(JSON.parse(String(e.data)) as VisitorServerFrame);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      ready = false;
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
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
        pingTimer = setInterval(ping, PING_EVERY_MS);
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
        if (!conversation || f.upTo <= conversation.agentReadUpTo) return;
        conversation = { ...conversation, agentReadUpTo: f.upTo };
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
        onError(f);
        return;
      case 'pong':
        return;
    }
  }

  function onError(f: Extract<VisitorServerFrame, { type: 'error' }>) {
    if (!f.clientId) {
      if (f.code === 'unauthorized') {
        // Expired, or a signed-in shopper's token on a page that no longer identifies: a new session.
        token = null;
        store(storageKey(slug, 'token'), null);
        disconnect();
        void start();
      } else notice = f.message;
      renderHeader();
      return;
    }
    const p = outbox.find((x) => x.clientId === f.clientId);
    if (!p) return;
    if (f.code === 'rate_limited') {
      p.sentAt = undefined;
      setTimeout(() => resend(p.clientId), (f.retryAfterSeconds ?? 5) * 1000);
    } else if (f.reason === 'prechat_required') {
      // Sent before the form was answered: it waits for the answers, then goes out.
      p.sentAt = undefined;
      showPrechat = true;
    } else if (f.code === 'internal' || f.code === 'unavailable') {
      p.error = f.message; // kept in the outbox: Retry, or the next reconnect, sends it again
    } else {
      // Refused for good (too long, chat switched off): out of the outbox, shown with the reason.
      outbox = outbox.filter((x) => x !== p);
      failed.push({ clientId: p.clientId, text: p.text, error: f.message });
    }
    saveOutbox();
    render();
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
      notice = fill(t.tooLong, cfg.limits.maxMessageChars);
      renderHeader();
      return;
    }
    notice = null;
    input.value = '';
    const p: Pending = { clientId: newClientId(), text, at: Date.now() };
    outbox.push(p);
    saveOutbox();
    sendPending(p);
    clearTimeout(typingStop);
    send({ type: 'typing', typing: false });
    render();
    if (held()) prechatEl?.querySelector<HTMLElement>('input,select,textarea')?.focus();
  }

  async function submitFile(file: File) {
    if (!token) return;
    const problem = !cfg.limits.uploadTypes.includes(file.type)
      ? fill(t.fileType, file.type || '?')
      : file.size > cfg.limits.maxUploadBytes
        ? fill(t.fileSize, Math.round(cfg.limits.maxUploadBytes / 1048576))
        : null;
    const id = newClientId();
    if (problem) {
      failed.push({ clientId: id, text: `📄 ${file.name}`, error: problem });
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
      failed.push({ clientId: id, text: `📄 ${file.name}`, error: (err as Error).message });
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
      add('name', t.name, h('input', { type: 'text', autocomplete: 'name' }), cfg.nameField === 'required');
    // Outside business hours the answer comes by e-mail, so the address is asked for whatever the setting.
    if (cfg.emailField !== 'off' || !cfg.open)
      add(
        'email',
        t.email,
        h('input', { type: 'email', autocomplete: 'email' }),
        cfg.emailField === 'required',
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
    const note = cfg.open ? null : h('p', { class: 'sd-note' }, t.awayAsk);
    const err = h('p', { class: 'sd-err' });
    const go = h('button', { class: 'sd-btn', type: 'submit' }, t.start);
    const form = h('form', { class: 'sd-form sd-prechat' }, note, ...fields, err, go);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (prechatSaving) return;
      const v = (k: string) => inputs[k]?.value.trim() || undefined;
      const custom: Record<string, string> = {};
      for (const f of cfg.prechatFields) if (v(`f:${f.key}`)) custom[f.key] = v(`f:${f.key}`)!;
      prechatSaving = true;
      err.textContent = '';
      try {
        const s = await post<WidgetSession>('prechat', {
          token,
          name: v('name'),
          email: v('email'),
          fields: custom,
        });
        prechatSaving = false;
        applySession(s);
        showPrechat = false;
        flush(); // what was typed meanwhile goes out now that the answers are stored
        render();
        input.focus();
      } catch (ex) {
        prechatSaving = false;
        err.textContent = (ex as Error).message;
        render();
      }
    });
    return form;
  }

  function awayForm() {
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: '' });
    const err = h('p', { class: 'sd-err' });
    const form = h(
      'form',
      { class: 'sd-form sd-away' },
      h('label', {}, t.awayAsk, email),
      err,
      h('button', { class: 'sd-btn', type: 'submit' }, t.awaySave),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        applySession(await post<WidgetSession>('email', { token, email: email.value.trim() }));
      } catch (ex) {
        err.textContent = (ex as Error).message;
      }
    });
    return form;
  }

  /**
   * "E-mail me this chat" asks in the panel, not with the page's prompt(): first the address (an
   * identified shopper's own is filled in), then — for anyone else — the code mailed there to prove it.
   */
  function transcriptForm() {
    const field = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: '' });
    if (session?.email) field.value = session.email;
    const label = h('label', {}, t.transcriptTo, field);
    const err = h('p', { class: 'sd-err' });
    const go = h('button', { class: 'sd-btn', type: 'submit' }, t.send);
    const cancel = h('button', { class: 'sd-link', type: 'button' }, t.transcriptCancel);
    const form = h('form', { class: 'sd-form sd-transcript' }, label, err, go, cancel);
    let email: string | null = null;
    let active: HTMLInputElement = field;
    const done = (text: string | null) => {
      transcriptEl = null;
      notice = text;
      renderForms();
      renderHeader();
    };
    cancel.addEventListener('click', () => done(notice));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.textContent = '';
      const value = active.value.trim();
      if (!value) return;
      try {
        if (email === null) {
          const r = await post<{ codeSent: boolean }>('transcript', { token, email: value });
          if (!r.codeSent) return done(fill(t.transcriptSent, value));
          // Anyone but an identified shopper proves the address with the code mailed there.
          email = value;
          const code = h('input', {
            name: 'code',
            inputmode: 'numeric',
            autocomplete: 'one-time-code',
            required: '',
          });
          label.replaceChildren(fill(t.transcriptCode, email), code);
          active = code;
          code.focus();
          return;
        }
        await post('transcript', { token, email, code: value });
        done(fill(t.transcriptSent, email));
      } catch (ex) {
        err.textContent = (ex as Error).message;
      }
    });
    return form;
  }

  function ratingForm() {
    let score = 0;
    const stars = h('div', { class: 'sd-stars', role: 'radiogroup', 'aria-label': t.rate });
    const buttons = [1, 2, 3, 4, 5].map((n) => {
      const b = h('button', { type: 'button', 'aria-label': fill(t.rateOf, n) }, '★');
      b.addEventListener('click', () => {
        score = n;
        for (const [i, x] of buttons.entries()) x.classList.toggle('on', i < n);
      });
      stars.append(b);
      return b;
    });
    const comment = h('textarea', { rows: '2', placeholder: t.rateComment });
    const err = h('p', { class: 'sd-err' });
    const go = h('button', { class: 'sd-btn', type: 'submit' }, t.rateSend);
    const form = h('form', { class: 'sd-form sd-rating' }, h('span', {}, t.rate), stars, comment, err, go);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!score) {
        err.textContent = t.ratePick;
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
  transcriptLink.addEventListener('click', () => {
    transcriptEl ??= transcriptForm();
    renderForms();
    transcriptEl.querySelector('input')?.focus();
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
  void start();

  return {
    opened() {
      render();
      input.focus();
    },
    identify(next) {
      identity = next;
      disconnect();
      void start();
    },
    setLocale(next) {
      locale = next;
      t = stringsFor(next);
      applyStrings();
      // The forms carry words too: rebuilt in the new language (a locale switch is rare).
      prechatEl = null;
      awayEl = null;
      ratingEl = null;
      render();
      send({ type: 'locale', locale: next });
    },
    logout() {
      // The shop signed the shopper out: nothing of theirs stays in this browser or on screen.
      identity = null;
      disconnect();
      clearTimeout(reconnectTimer);
      token = null;
      session = null;
      conversation = null;
      messages.clear();
      outbox = [];
      failed = [];
      lastAgent = null;
      rated = false;
      showPrechat = false;
      prechatEl = null;
      awayEl = null;
      ratingEl = null;
      store(storageKey(slug, 'token'), null);
      saveOutbox();
      render();
      void start();
    },
  };
}
