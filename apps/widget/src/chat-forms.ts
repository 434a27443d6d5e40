import { fill, type Strings } from './strings.ts';
import type { WidgetConfig } from './types.ts';
import { h } from './types.ts';

/*
 * The forms the conversation panel shows under the messages: pre-chat questions, the away card's
 * address, "E-mail me this chat" and the rating. Each builds its elements and collects what was typed;
 * what the answers do to the conversation is the caller's (chat.ts), handed in as `submit`. A submit
 * that throws shows its message under the form.
 */

export type PrechatAnswers = { name?: string; email?: string; fields: Record<string, string> };

export function prechatForm(
  t: Strings,
  cfg: WidgetConfig,
  submit: (answers: PrechatAnswers) => Promise<void>,
) {
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
    const v = (k: string) => inputs[k]?.value.trim() || undefined;
    const custom: Record<string, string> = {};
    for (const f of cfg.prechatFields) if (v(`f:${f.key}`)) custom[f.key] = v(`f:${f.key}`)!;
    err.textContent = '';
    try {
      await submit({ name: v('name'), email: v('email'), fields: custom });
    } catch (ex) {
      err.textContent = (ex as Error).message;
    }
  });
  return form;
}

/** Outside business hours: the address the answer will be mailed to. */
export function awayForm(t: Strings, submit: (email: string) => Promise<void>) {
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
      await submit(email.value.trim());
    } catch (ex) {
      err.textContent = (ex as Error).message;
    }
  });
  return form;
}

/**
 * "E-mail me this chat" asks in the panel, not with the page's prompt(): first the address (an
 * identified shopper's own is filled in), then — for anyone else — the code mailed there to prove it.
 * `finish` gets the address the transcript went to, or null when the shopper cancelled.
 */
export function transcriptForm(
  t: Strings,
  prefill: string | null,
  request: (body: { email: string; code?: string }) => Promise<{ codeSent: boolean }>,
  finish: (sentTo: string | null) => void,
) {
  const field = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: '' });
  if (prefill) field.value = prefill;
  const label = h('label', {}, t.transcriptTo, field);
  const err = h('p', { class: 'sd-err' });
  const go = h('button', { class: 'sd-btn', type: 'submit' }, t.send);
  const cancel = h('button', { class: 'sd-link', type: 'button' }, t.transcriptCancel);
  const form = h('form', { class: 'sd-form sd-transcript' }, label, err, go, cancel);
  let email: string | null = null;
  let active: HTMLInputElement = field;
  cancel.addEventListener('click', () => finish(null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    const value = active.value.trim();
    if (!value) return;
    try {
      if (email === null) {
        const r = await request({ email: value });
        if (!r.codeSent) return finish(value);
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
      await request({ email, code: value });
      finish(email);
    } catch (ex) {
      err.textContent = (ex as Error).message;
    }
  });
  return form;
}

export function ratingForm(t: Strings, submit: (score: number, comment?: string) => Promise<void>) {
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
      await submit(score, comment.value.trim() || undefined);
    } catch (ex) {
      err.textContent = (ex as Error).message;
    }
  });
  return form;
}
