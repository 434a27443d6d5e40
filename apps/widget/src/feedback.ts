import { h, storageKey, store } from './types.ts';

/*
 * The site feedback tab's form, loaded on the first click of the tab (the page-view bundle only draws
 * the tab): a thumbs/emoji rating, a comment and, for an anonymous shopper, an optional address to be
 * answered on. A shopper with a chat session sends its visitor token, so the desk knows who it is.
 */

const CSS = `
.sd-fb{position:absolute;right:0;bottom:70px;width:300px;max-width:calc(100vw - 40px);background:#fff;color:#111827;border-radius:12px;box-shadow:0 12px 40px rgba(0,0,0,.25);padding:14px;display:flex;flex-direction:column;gap:10px;font-size:14px}
.sd-fb h2{font-size:15px;margin:0}
.sd-fb-rate{display:flex;gap:8px}
.sd-fb-rate button{all:unset;cursor:pointer;font-size:24px;padding:4px 8px;border-radius:8px;border:2px solid transparent}
.sd-fb-rate button[aria-pressed=true]{border-color:var(--sd-color);background:#f3f4f6}
.sd-fb textarea,.sd-fb input{border:1px solid #d1d5db;border-radius:8px;padding:7px 9px;font-size:14px;color:#111827;background:#fff;font-family:inherit}
.sd-fb textarea{min-height:70px;resize:vertical}
.sd-fb-send{all:unset;cursor:pointer;text-align:center;background:var(--sd-color);color:#fff;border-radius:8px;padding:8px 12px;font-weight:600}
.sd-fb-err{color:#b91c1c;font-size:12px;margin:0}
.sd-fb-x{all:unset;cursor:pointer;position:absolute;top:8px;right:12px;font-size:18px;color:#6b7280}
`;

const WORDS: Record<string, string[]> = {
  // title, comment placeholder, email placeholder, send, thanks, pick a rating, error, too many, off
  en: [
    'How is this page?',
    'Tell us more (optional)',
    'Your e-mail, if you want an answer',
    'Send feedback',
    'Thank you! Your feedback reached the team.',
    'Pick a rating first.',
    'Could not send, please try again.',
    'Too many messages, please try later.',
    'Feedback is switched off.',
  ],
  de: [
    'Wie finden Sie diese Seite?',
    'Erzählen Sie mehr (optional)',
    'Ihre E-Mail, falls Sie eine Antwort möchten',
    'Feedback senden',
    'Danke! Ihr Feedback ist beim Team angekommen.',
    'Bitte zuerst bewerten.',
    'Senden fehlgeschlagen, bitte erneut versuchen.',
    'Zu viele Nachrichten, bitte später.',
    'Feedback ist ausgeschaltet.',
  ],
  fr: [
    'Que pensez-vous de cette page ?',
    'Dites-nous en plus (facultatif)',
    'Votre e-mail, pour une réponse',
    'Envoyer',
    'Merci ! Votre avis est arrivé à l’équipe.',
    'Choisissez d’abord une note.',
    'Échec de l’envoi, réessayez.',
    'Trop de messages, réessayez plus tard.',
    'Les avis sont désactivés.',
  ],
  es: [
    '¿Qué te parece esta página?',
    'Cuéntanos más (opcional)',
    'Tu e-mail, si quieres respuesta',
    'Enviar',
    '¡Gracias! Tu opinión llegó al equipo.',
    'Elige primero una valoración.',
    'No se pudo enviar, inténtalo de nuevo.',
    'Demasiados mensajes, inténtalo luego.',
    'Las opiniones están desactivadas.',
  ],
  nl: [
    'Wat vindt u van deze pagina?',
    'Vertel ons meer (optioneel)',
    'Uw e-mail, als u antwoord wilt',
    'Verstuur',
    'Dank u! Uw feedback is bij het team.',
    'Kies eerst een beoordeling.',
    'Versturen mislukt, probeer opnieuw.',
    'Te veel berichten, probeer later.',
    'Feedback staat uit.',
  ],
};

export interface FeedbackContext {
  base: string;
  slug: string;
  root: ShadowRoot;
  locale: string | null;
}

export function mount(ctx: FeedbackContext) {
  const lang = (ctx.locale ?? navigator.language ?? 'en').slice(0, 2).toLowerCase();
  const w = WORDS[lang] ?? WORDS.en!;
  const style = h('style');
  style.textContent = CSS;
  let rating: number | null = null;
  const err = h('p', { class: 'sd-fb-err', role: 'alert' });
  const buttons = (
    [
      [1, '🙂', 'Good'],
      [0, '😐', 'Okay'],
      [-1, '🙁', 'Bad'],
    ] as const
  ).map(([value, icon, label]) => {
    const b = h('button', { type: 'button', 'aria-label': label, 'aria-pressed': 'false' }, icon);
    b.addEventListener('click', () => {
      rating = value;
      for (const x of buttons) x.setAttribute('aria-pressed', String(x === b));
    });
    return b;
  });
  const comment = h('textarea', { maxlength: '2000', placeholder: w[1]!, 'aria-label': w[1]! });
  const email = h('input', { type: 'email', maxlength: '320', placeholder: w[2]!, 'aria-label': w[2]! });
  const send = h('button', { type: 'button', class: 'sd-fb-send' }, w[3]!);
  const close = h('button', { type: 'button', class: 'sd-fb-x', 'aria-label': 'Close' }, '×');
  const box = h(
    'div',
    { class: 'sd-fb', role: 'dialog', 'aria-label': 'Feedback' },
    close,
    h('h2', {}, w[0]!),
    h('div', { class: 'sd-fb-rate' }, ...buttons),
    comment,
    email,
    err,
    send,
  );
  ctx.root.append(style, box);
  close.addEventListener('click', () => box.remove());

  send.addEventListener('click', async () => {
    if (rating === null) {
      err.textContent = w[5]!;
      return;
    }
    err.textContent = '';
    const token = store(storageKey(ctx.slug, 'token'));
    const body: Record<string, unknown> = {
      rating,
      comment: comment.value,
      pageUrl: location.href,
      locale: lang,
    };
    if (email.value.trim()) body.email = email.value.trim();
    if (token) body.visitorToken = token;
    try {
      const r = await fetch(`${ctx.base}/api/v1/widget/${encodeURIComponent(ctx.slug)}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (r.status === 202) {
        box.replaceChildren(close, h('p', { role: 'status' }, w[4]!));
        return;
      }
      err.textContent = r.status === 429 ? w[7]! : r.status === 403 ? w[8]! : w[6]!;
    } catch {
      err.textContent = w[6]!;
    }
  });
  return {
    toggle() {
      if (box.isConnected) box.remove();
      else ctx.root.append(box);
    },
  };
}
