import { escapeHtml as e } from '../../platform/html/sanitize.ts';
import type { ShopperPageInput, ShopperPageResult } from '../helpcenter/index.ts';
import { type FeedbackWords, fill, formatDate, wordsFor } from './feedback-i18n.ts';
import { type Scale, scalePoints } from './survey-rules.ts';
import type { SurveyRow } from './surveys.repository.ts';
import type { SurveysService } from './surveys.service.ts';

/**
 * The shopper's side of surveys and follow-ups: pages opened from shopper links (the help center's
 * `/l/<token>`, purposes `survey`, `follow-up`, `feedback-opt-out`). Plain HTML forms that work without
 * JavaScript. A GET only shows the question with the choice from the e-mail pre-selected: link
 * scanners open every link in a message, so nothing is recorded until the shopper presses the button
 * (a POST).
 */

const STYLE = `<style>
.rate{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}.rate label{margin:0;font-weight:400}
.rate input{position:absolute;opacity:0}.rate span{display:inline-block;min-width:64px;text-align:center;padding:10px 12px;border:1px solid #c9ced8;border-radius:10px;background:#fff;cursor:pointer}
.rate .face{display:block;font-size:28px;line-height:1.2}.rate input:checked+span{border-color:var(--brand);box-shadow:0 0 0 2px var(--brand)}
.rate input:focus-visible+span{outline:2px solid var(--brand);outline-offset:2px}.nps span{min-width:40px}
fieldset{border:0;padding:0;margin:12px 0}legend{font-weight:600;margin-bottom:4px}.reasons label{font-weight:400;margin:4px 0}
.answers{display:flex;gap:12px;flex-wrap:wrap;margin-top:16px}.answers button.secondary{background:#fff;color:var(--brand);border:1px solid var(--brand)}
</style>`;

const FACES: Record<string, string[]> = {
  five: ['😡', '🙁', '😐', '🙂', '😍'],
  three: ['🙁', '😐', '🙂'],
  thumbs: ['👎', '👍'],
};

function face(scale: Scale, style: string, n: number, i: number) {
  if (scale === 'nps' || style === 'numbers') return String(n);
  if (style === 'stars') return '★'.repeat(n);
  return FACES[scale]?.[i] ?? String(n);
}

export interface SurveyLook {
  style: string;
  question: string | null;
  labels: string[] | null;
  reasons: string[];
}

export function surveyFormHtml(
  w: FeedbackWords,
  s: Pick<SurveyRow, 'scale' | 'kind' | 'score' | 'comment' | 'reason'>,
  look: SurveyLook,
  o: { action: string; selected: number | null; shop: string },
) {
  const points = scalePoints(s.scale);
  const labels =
    look.labels && look.labels.length === points.length
      ? look.labels
      : s.scale === 'nps'
        ? points.map(String)
        : w[s.scale as 'five'];
  const question =
    look.question || (s.kind === 'nps' ? fill(w.npsQuestion, { shop: o.shop }) : w.csatQuestion);
  const chosen = o.selected ?? s.score;
  const options = points
    .map(
      (n, i) =>
        `<label><input type="radio" name="score" value="${n}" required${chosen === n ? ' checked' : ''}><span><span class="face" aria-hidden="true">${e(face(s.scale, look.style, n, i))}</span>${e(labels[i] ?? String(n))}</span></label>`,
    )
    .join('');
  const scaleHint = s.scale === 'nps' ? `<p class="muted">0 = ${e(w.npsLow)} · 10 = ${e(w.npsHigh)}</p>` : '';
  const reasons =
    s.kind === 'csat' && look.reasons.length
      ? `<fieldset class="reasons"><legend>${e(w.reasonPrompt)}</legend>${look.reasons
          .map(
            (r) =>
              `<label><input type="radio" name="reason" value="${e(r)}"${s.reason === r ? ' checked' : ''}> ${e(r)}</label>`,
          )
          .join('')}</fieldset>`
      : '';
  return `${STYLE}<form method="post" action="${e(o.action)}" class="card survey">
<fieldset><legend><h1 style="font-size:22px;margin:0">${e(question)}</h1></legend>
<div class="rate${s.scale === 'nps' ? ' nps' : ''}">${options}</div>${scaleHint}</fieldset>
${reasons}
<label for="comment">${e(s.kind === 'nps' ? w.npsFollow : w.commentPrompt)}</label>
<textarea id="comment" name="comment" maxlength="5000">${e(s.comment ?? '')}</textarea>
<p><button type="submit">${e(s.score === null ? w.submit : w.update)}</button></p>
</form>`;
}

type Page = (input: ShopperPageInput) => Promise<ShopperPageResult>;

export function surveyPages(o: {
  surveys: SurveysService;
  shopName: (workspaceId: number) => Promise<string>;
  /** Seconds to wait when the shopper's network sent too many answers, else null. */
  overLimit: (clientIp: string) => Promise<number | null>;
}) {
  const { surveys } = o;
  const page = (status: number, title: string, html: string): ShopperPageResult => ({ status, title, html });
  const invalid = (w: FeedbackWords, status = 404) =>
    page(status, w.invalid, `<div class="error" role="alert">${e(w.invalid)}</div>`);
  const closed = (w: FeedbackWords, text = w.closed) =>
    page(410, text, `<div class="note" role="status">${e(text)}</div>`);
  const tooMany = async (input: ShopperPageInput) =>
    input.method === 'POST' && (await o.overLimit(input.clientIp)) !== null
      ? page(
          429,
          'Too many answers',
          '<div class="error" role="alert">Too many answers from your network; try again in a few minutes.</div>',
        )
      : null;

  const survey: Page = async (input) => {
    const w = wordsFor(input.locale);
    const ws = input.claims.workspaceId;
    const s =
      input.claims.subject.type === 'survey'
        ? await surveys.surveyRow(ws, input.claims.subject.id)
        : undefined;
    if (!s) return invalid(w);
    const open =
      (s.status === 'sent' || s.status === 'answered') && (!s.expires_at || s.expires_at > new Date());
    if (!open) return closed(w);
    const limited = await tooMany(input);
    if (limited) return limited;
    const settings = await surveys.settingsOf(ws);
    const texts = s.kind === 'nps' ? settings.nps.texts : settings.csat.texts;
    const t = texts[input.locale] ?? null;
    const look: SurveyLook = {
      style: settings.csat.style,
      question: t?.question || null,
      labels: t?.labels?.length ? t.labels : null,
      reasons: s.kind === 'csat' ? settings.csat.reasons : [],
    };
    const shop = await o.shopName(ws);
    let notice = '';
    let current = s;
    let selected: number | null = null;
    if (input.method === 'POST') {
      const f = input.fields;
      const score = Number(f.score);
      if (!f.score || !Number.isInteger(score) || !scalePoints(s.scale).includes(score)) {
        notice = `<div class="error" role="alert">${e(w.pickOne)}</div>`;
      } else {
        const saved = await surveys.answer(ws, s.id, {
          score,
          comment: (f.comment ?? '').slice(0, 5000),
          reason: f.reason ?? null,
        });
        if (!saved) return closed(w);
        current = (await surveys.surveyRow(ws, s.id)) ?? s;
        notice = `<div class="ok" role="status"><strong>${e(w.thanks)}</strong> ${
          current.expires_at
            ? e(fill(w.canChange, { date: formatDate(input.locale, current.expires_at) }))
            : ''
        }</div>`;
      }
    } else {
      const q = Number(input.query.score);
      selected = input.query.score !== undefined && scalePoints(s.scale).includes(q) ? q : null;
    }
    const title = s.kind === 'nps' ? fill(w.npsQuestion, { shop }) : w.csatQuestion;
    return page(
      200,
      title,
      `${notice}${surveyFormHtml(w, current, look, { action: input.path, selected, shop })}`,
    );
  };

  const followUp: Page = async (input) => {
    const w = wordsFor(input.locale);
    const ws = input.claims.workspaceId;
    const f =
      input.claims.subject.type === 'follow-up'
        ? await surveys.followUpRow(ws, input.claims.subject.id)
        : undefined;
    if (!f) return invalid(w);
    const thanks = (fixed: boolean) =>
      page(
        200,
        w.followQuestion,
        `<div class="ok" role="status">${e(fixed ? w.followThanksYes : w.followThanksNo)}</div>`,
      );
    if (input.method === 'POST') {
      const limited = await tooMany(input);
      if (limited) return limited;
      const answer = input.fields.answer;
      if (answer !== 'yes' && answer !== 'no') return invalid(w, 400);
      const r = await surveys.answerFollowUp(ws, f.id, answer === 'yes');
      if (r.status === 'fixed' || r.status === 'not-fixed') return thanks(r.status === 'fixed');
      return closed(w, w.followClosed);
    }
    if (f.status === 'fixed' || f.status === 'not-fixed') return thanks(f.status === 'fixed');
    if (f.status !== 'sent') return closed(w, w.followClosed);
    const pre = input.query.answer;
    const btn = (v: 'yes' | 'no', label: string) =>
      `<button type="submit" name="answer" value="${v}"${pre && pre !== v ? ' class="secondary"' : ''}>${e(label)}</button>`;
    return page(
      200,
      w.followQuestion,
      `${STYLE}<form method="post" action="${e(input.path)}" class="card">
<h1 style="font-size:22px;margin:0">${e(w.followQuestion)}</h1>
<div class="answers">${pre === 'no' ? btn('no', w.no) + btn('yes', w.yes) : btn('yes', w.yes) + btn('no', w.no)}</div>
</form>`,
    );
  };

  const optOut: Page = async (input) => {
    const w = wordsFor(input.locale);
    const ws = input.claims.workspaceId;
    if (input.claims.subject.type !== 'contact') return invalid(w);
    if (input.method === 'POST') {
      const limited = await tooMany(input);
      if (limited) return limited;
      await surveys.optOut(ws, input.claims.subject.id);
      return page(200, w.optOutTitle, `<div class="ok" role="status">${e(w.optOutDone)}</div>`);
    }
    return page(
      200,
      w.optOutTitle,
      `<form method="post" action="${e(input.path)}" class="card">
<h1 style="font-size:22px;margin:0">${e(w.optOutTitle)}</h1><p>${e(fill(w.optOutText, { shop: await o.shopName(ws) }))}</p>
<p><button type="submit">${e(w.confirm)}</button></p></form>`,
    );
  };

  return { survey, followUp, optOut };
}
