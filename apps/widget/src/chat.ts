import type {
  VisitorClientFrame,
  VisitorMessageAck,
  VisitorServerFrame,
  WidgetConversation,
  WidgetSession,
} from '@shopdesk/contracts';
import {
  awayForm as buildAwayForm,
  prechatForm as buildPrechatForm,
  ratingForm as buildRatingForm,
  transcriptForm as buildTranscriptForm,
} from './chat-forms.ts';
import { buildFrame } from './chat-frame.ts';
import { VisitorSocket } from './chat-socket.ts';
import { base64Of, bubble as bubbleOf, formatWait, newClientId, postJson } from './chat-text.ts';
import { fill, stringsFor } from './strings.ts';
import type { ChatUi, WidgetContext, WidgetMessage } from './types.ts';
import { h, storageKey, store } from './types.ts';

/*
 * The conversation UI, loaded on first open (or at once for a returning visitor). Messages typed while
 * offline wait in a localStorage outbox with a client id, and are resent on reconnect until the server
 * acknowledges them; the server stores a client id once, so a resend never duplicates. Messages typed
 * before the pre-chat form is answered (and stored) wait in the outbox too, and go out right after it.
 */

type Pending = { clientId: string; text: string; at: number; sentAt?: number; error?: string };
type Failed = { clientId: string; text: string; error: string };

/** A sent message without an ack after this long is shown as not sent (with Retry). */
const ACK_TIMEOUT_MS = 20_000;

export function mount(ctx: WidgetContext): ChatUi {
  const { base, slug, config: cfg } = ctx;
  const api = `${base}/api/v1/widget/${encodeURIComponent(slug)}`;

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

  const {
    avatar,
    sub,
    list,
    forms,
    body,
    typing,
    input,
    fileInput,
    attachBtn,
    emojiBtn,
    sendBtn,
    emojiBar,
    transcriptLink,
    status,
    applyStrings: applyStringsTo,
  } = buildFrame(ctx);
  const applyStrings = () => applyStringsTo(t);
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
    status.textContent = socket.ready ? (notice ?? '') : navigator.onLine ? t.connecting : t.offline;
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

  const post = <T>(path: string, payload: unknown) => postJson<T>(api, path, payload);
  const bubble = (m: Parameters<typeof bubbleOf>[1], cls: string) => bubbleOf(base, m, cls);

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

  const socket = new VisitorSocket(
    `${base.replace(/^http/, 'ws')}/api/v1/widget/${encodeURIComponent(slug)}/socket`,
    () => token,
    (f) => onFrame(f),
    () => renderHeader(),
  );
  const send = (frame: VisitorClientFrame) => socket.send(frame);
  const connect = () => socket.connect();
  const disconnect = () => socket.disconnect();

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

  function onFrame(f: VisitorServerFrame) {
    switch (f.type) {
      case 'ready':
        socket.opened();
        if (f.conversation) conversation = f.conversation;
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
    const data = await base64Of(file);
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
    return buildPrechatForm(t, cfg, async (answers) => {
      if (prechatSaving) return;
      prechatSaving = true;
      try {
        const s = await post<WidgetSession>('prechat', { token, ...answers });
        prechatSaving = false;
        applySession(s);
        showPrechat = false;
        flush(); // what was typed meanwhile goes out now that the answers are stored
        render();
        input.focus();
      } catch (ex) {
        prechatSaving = false;
        render();
        throw ex;
      }
    });
  }

  function awayForm() {
    return buildAwayForm(t, async (email) => {
      applySession(await post<WidgetSession>('email', { token, email }));
    });
  }

  function transcriptForm() {
    return buildTranscriptForm(
      t,
      session?.email ?? null,
      (body) => post<{ codeSent: boolean }>('transcript', { token, ...body }),
      (sentTo) => {
        transcriptEl = null;
        if (sentTo !== null) notice = fill(t.transcriptSent, sentTo);
        renderForms();
        renderHeader();
      },
    );
  }

  function ratingForm() {
    return buildRatingForm(t, async (score, comment) => {
      conversation = await post<WidgetConversation>('rating', { token, score, comment });
      rated = true;
      render();
    });
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
    socket.online();
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
      socket.stop();
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
