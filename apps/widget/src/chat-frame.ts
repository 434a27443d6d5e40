import { CSS, EMOJI } from './chat-style.ts';
import type { Strings } from './strings.ts';
import type { WidgetContext } from './types.ts';
import { h } from './types.ts';

/*
 * The panel's fixed elements (header, message list, forms area, composer, footer), built once on
 * mount; chat.ts fills them. `applyStrings` puts the words of a language on them (again on a switch).
 */
export function buildFrame(ctx: WidgetContext) {
  const { config: cfg, panel } = ctx;
  const style = h('style');
  style.textContent = CSS;
  ctx.root.prepend(style);

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

  function applyStrings(t: Strings) {
    closeBtn.setAttribute('aria-label', t.close);
    input.placeholder = t.placeholder;
    input.setAttribute('aria-label', t.message);
    attachBtn.setAttribute('aria-label', t.attach);
    emojiBtn.setAttribute('aria-label', t.emoji);
    sendBtn.textContent = t.send;
    transcriptLink.textContent = t.transcript;
  }

  return {
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
    applyStrings,
  };
}
