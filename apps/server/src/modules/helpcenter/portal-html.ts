import { formatMoney, type Order } from '@shopdesk/contracts';
import { escapeHtml as e } from '../../platform/html/sanitize.ts';
import {
  formatDay,
  html,
  messagesFor,
  type NotFoundWhat,
  notFoundText,
  type PortalMessages,
  text,
} from './portal-i18n.ts';

/**
 * Server-rendered shopper pages (pure functions: data in, HTML out). Everything works without
 * JavaScript; the one small script only adds live article suggestions to the contact form. Interface
 * text comes from the page language's catalogue (portal-i18n.ts, `nav.locale`).
 */

export interface Theme {
  title: string;
  shopName: string;
  logoUrl: string | null;
  primaryColor: string;
  locales: string[];
}

export interface PageMeta {
  lang: string;
  title: string;
  description: string;
  canonical: string;
  /** Other language versions of this page: hreflang alternates and the language switcher. */
  alternates?: { locale: string; url: string; path: string }[];
  noindex?: boolean;
  jsonLd?: unknown[];
  script?: string;
  nonce: string;
}

export interface Nav {
  /** Path prefix of the help center: '' on a custom domain, '/help/<slug>' otherwise. */
  prefix: string;
  locale: string;
}

const msg = (nav: Nav): PortalMessages => messagesFor(nav.locale);

const LOCALE_NAMES: Record<string, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  it: 'Italiano',
  nl: 'Nederlands',
  pt: 'Português',
  'pt-br': 'Português (Brasil)',
  sv: 'Svenska',
  da: 'Dansk',
  pl: 'Polski',
  ja: '日本語',
};
export const localeName = (l: string) => LOCALE_NAMES[l] ?? l;

/** JSON inside <script>: '<' escaped so no string can close the element. */
const jsonForScript = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f7f8fa}
a{color:var(--brand)}header.top{background:var(--brand);color:#fff}header.top .in{display:flex;align-items:center;gap:16px;justify-content:space-between}
header.top a{color:#fff;text-decoration:none}.in{max-width:960px;margin:0 auto;padding:14px 20px}.brand{display:flex;align-items:center;gap:10px;font-weight:600;font-size:18px}
.brand img{max-height:36px}nav.links{display:flex;gap:16px;flex-wrap:wrap;align-items:center}nav.links select{font:inherit}
.hero{background:var(--brand);color:#fff;padding:8px 0 36px}.hero h1{margin:8px 0 16px;font-size:28px}
form.search{display:flex;gap:8px;align-items:stretch}form.search input{flex:1;min-width:0;padding:12px 14px;border-radius:8px;border:1px solid #c9ced8;font:inherit}form.search button{flex:none;white-space:nowrap}
button,.button{background:var(--brand);color:#fff;border:0;border-radius:8px;padding:10px 16px;font:inherit;cursor:pointer;text-decoration:none;display:inline-block}
.hero button{background:#fff;color:var(--brand)}main{max-width:960px;margin:0 auto;padding:24px 20px 48px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:16px}.card{background:#fff;border:1px solid #e3e6ec;border-radius:10px;padding:16px 18px}
.card h2,.card h3{margin:0 0 8px;font-size:18px}.card ul{margin:0;padding-left:18px}.muted{color:#5b6475}.crumbs{font-size:14px;margin-bottom:12px}
article.body{background:#fff;border:1px solid #e3e6ec;border-radius:10px;padding:8px 28px 20px}article.body img{max-width:100%}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{border:1px solid #e3e6ec;padding:6px 10px;text-align:left}
.video{position:relative;padding-top:56.25%}.video iframe{position:absolute;inset:0;width:100%;height:100%;border:0}
mark{background:#fff1a8;padding:0 1px}.hit{margin:0 0 18px}.hit h2{font-size:18px;margin:0 0 4px}.hit p{margin:0}
label{display:block;font-weight:600;margin:14px 0 4px}input[type=text],input[type=email],textarea,select{width:100%;padding:10px 12px;border:1px solid #c9ced8;border-radius:8px;font:inherit;background:#fff}
textarea{min-height:140px}.note{background:#fff8e1;border:1px solid #f1d48a;border-radius:8px;padding:10px 14px;margin:12px 0}
.error{background:#fdecec;border:1px solid #f1a5a5;border-radius:8px;padding:10px 14px;margin:12px 0}.warn{background:#fff6e0;border:1px solid #f0c36d;border-radius:8px;padding:10px 14px;margin:12px 0}.ok{background:#e8f6ec;border:1px solid #9fd3ad;border-radius:8px;padding:10px 14px;margin:12px 0}
.vote{margin-top:24px;background:#fff;border:1px solid #e3e6ec;border-radius:10px;padding:14px 18px}.vote form{display:inline}
.timeline{list-style:none;padding:0}.timeline li{border-left:3px solid var(--brand);padding:4px 0 10px 14px}.suggest{margin:8px 0 0;padding:0;list-style:none}
.suggest li{margin:4px 0}footer{max-width:960px;margin:0 auto;padding:0 20px 40px;font-size:14px;color:#5b6475}.sr{position:absolute;left:-9999px}
.chat p{margin:6px 0}.chat .bot{background:#fff;border:1px solid #e3e6ec;border-radius:10px;padding:8px 12px}.chat .me{text-align:right}
`;

export function layout(
  theme: Theme,
  nav: Nav,
  meta: PageMeta,
  body: string,
  opts: { hero?: string } = {},
): string {
  const m = msg(nav);
  const alt = meta.alternates ?? [];
  const home = `${nav.prefix}/${nav.locale}`;
  const switcher =
    alt.length > 1
      ? `<form method="get" action="${e(home)}/language"><label class="sr" for="lang">${e(m.language)}</label><select id="lang" name="to">${alt
          .map(
            (a) =>
              `<option value="${e(a.path)}"${a.locale === meta.lang ? ' selected' : ''}>${e(localeName(a.locale))}</option>`,
          )
          .join('')}</select> <button type="submit">${e(m.go)}</button></form>`
      : '';
  return `<!doctype html>
<html lang="${e(meta.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(meta.title)}</title>
<meta name="description" content="${e(meta.description.slice(0, 300))}">
<link rel="canonical" href="${e(meta.canonical)}">
${alt.map((a) => `<link rel="alternate" hreflang="${e(a.locale)}" href="${e(a.url)}">`).join('\n')}
${meta.noindex ? '<meta name="robots" content="noindex, nofollow">' : ''}
<meta property="og:title" content="${e(meta.title)}">
<meta property="og:description" content="${e(meta.description.slice(0, 300))}">
<meta property="og:url" content="${e(meta.canonical)}">
<meta property="og:type" content="website">
<style>:root{--brand:${e(theme.primaryColor)}}${CSS}</style>
${(meta.jsonLd ?? []).map((j) => `<script type="application/ld+json">${jsonForScript(j)}</script>`).join('\n')}
</head>
<body>
<header class="top"><div class="in">
<a class="brand" href="${e(home)}">${theme.logoUrl ? `<img src="${e(theme.logoUrl)}" alt="${e(theme.shopName)}">` : ''}<span>${e(theme.title)}</span></a>
<nav class="links"><a href="${e(home)}/track">${e(m.trackOrder)}</a><a href="${e(home)}/ask">${e(m.askQuestion)}</a><a href="${e(home)}/contact">${e(m.contactUs)}</a>${switcher}</nav>
</div></header>
${opts.hero ?? ''}
<main>
${body}
</main>
<footer>${e(theme.shopName)} · <a href="${e(home)}">${e(theme.title)}</a></footer>
${meta.script ? `<script nonce="${e(meta.nonce)}">${meta.script}</script>` : ''}
</body>
</html>`;
}

export function searchForm(nav: Nav, q = '', label = msg(nav).searchLabel) {
  return `<form class="search" role="search" method="get" action="${e(`${nav.prefix}/${nav.locale}/search`)}">
<label class="sr" for="q">${e(label)}</label><input id="q" type="search" name="q" value="${e(q)}" placeholder="${e(label)}" maxlength="200" required>
<button type="submit">${e(msg(nav).search)}</button></form>`;
}

export const articleHref = (nav: Nav, a: { article_id: number; slug: string; locale?: string }) =>
  `${nav.prefix}/${a.locale ?? nav.locale}/articles/${a.article_id}-${a.slug}`;

export interface TreeCategory {
  slug: string;
  name: string;
  description: string;
  sections: { slug: string; name: string; articles: { article_id: number; slug: string; title: string }[] }[];
}

export function homeBody(
  nav: Nav,
  cats: TreeCategory[],
  faq: { article_id: number; slug: string; title: string }[],
) {
  const m = msg(nav);
  const cards = cats
    .map(
      (
        c,
      ) => `<div class="card"><h2><a href="${e(`${nav.prefix}/${nav.locale}/categories/${c.slug}`)}">${e(c.name)}</a></h2>
${c.description ? `<p class="muted">${e(c.description)}</p>` : ''}
<ul>${c.sections
        .flatMap((s) => s.articles.slice(0, 5))
        .slice(0, 6)
        .map((a) => `<li><a href="${e(articleHref(nav, a))}">${e(a.title)}</a></li>`)
        .join('')}</ul></div>`,
    )
    .join('\n');
  return `${cats.length ? `<div class="grid">${cards}</div>` : `<p class="muted">${e(m.nothingPublished)}</p>`}
${faq.length ? `<h2>${e(m.faq)}</h2><ul>${faq.map((a) => `<li><a href="${e(articleHref(nav, a))}">${e(a.title)}</a></li>`).join('')}</ul>` : ''}
<div class="grid" style="margin-top:24px"><div class="card"><h3>${e(m.whereIsMyOrder)}</h3><p class="muted">${e(m.whereIsMyOrderText)}</p><a class="button" href="${e(`${nav.prefix}/${nav.locale}/track`)}">${e(m.trackOrder)}</a></div>
<div class="card"><h3>${e(m.stillNeedHelp)}</h3><p class="muted">${e(m.stillNeedHelpText)}</p><a class="button" href="${e(`${nav.prefix}/${nav.locale}/contact`)}">${e(m.contactUs)}</a></div></div>`;
}

export function categoryBody(nav: Nav, c: TreeCategory, homeTitle: string) {
  return `<div class="crumbs"><a href="${e(`${nav.prefix}/${nav.locale}`)}">${e(homeTitle)}</a> › ${e(c.name)}</div>
<h1>${e(c.name)}</h1>${c.description ? `<p class="muted">${e(c.description)}</p>` : ''}
${c.sections
  .map(
    (
      s,
    ) => `<section class="card" style="margin-bottom:16px"><h2><a href="${e(`${nav.prefix}/${nav.locale}/sections/${s.slug}`)}">${e(s.name)}</a></h2>
<ul>${s.articles.map((a) => `<li><a href="${e(articleHref(nav, a))}">${e(a.title)}</a></li>`).join('') || `<li class="muted">${e(msg(nav).noArticlesYet)}</li>`}</ul></section>`,
  )
  .join('\n')}`;
}

export function sectionBody(
  nav: Nav,
  crumbs: { homeTitle: string; category?: { slug: string; name: string } },
  s: {
    name: string;
    description: string;
    articles: { article_id: number; slug: string; title: string; summary: string }[];
  },
) {
  return `<div class="crumbs"><a href="${e(`${nav.prefix}/${nav.locale}`)}">${e(crumbs.homeTitle)}</a>${
    crumbs.category
      ? ` › <a href="${e(`${nav.prefix}/${nav.locale}/categories/${crumbs.category.slug}`)}">${e(crumbs.category.name)}</a>`
      : ''
  } › ${e(s.name)}</div>
<h1>${e(s.name)}</h1>${s.description ? `<p class="muted">${e(s.description)}</p>` : ''}
${s.articles.map((a) => `<div class="hit"><h2><a href="${e(articleHref(nav, a))}">${e(a.title)}</a></h2><p class="muted">${e(a.summary)}</p></div>`).join('\n') || `<p class="muted">${e(msg(nav).noArticlesYet)}</p>`}`;
}

export function articleBody(
  nav: Nav,
  a: {
    article_id: number;
    title: string;
    body_html: string;
    updated_at: Date;
    internal: boolean;
    /** The language asked for, when the article is shown in another one (`locale`). */
    fallbackFrom: string | null;
    locale: string;
  },
  crumbs: {
    homeTitle: string;
    category?: { slug: string; name: string };
    section?: { slug: string; name: string };
  },
  related: { article_id: number; slug: string; title: string; locale: string }[],
  vote: { state: 'none' | 'thanks' | 'comment'; formKey: string },
) {
  const m = msg(nav);
  const base = `${nav.prefix}/${nav.locale}`;
  const voteUrl = `${base}/articles/${a.article_id}/vote`;
  const voteBox =
    vote.state === 'thanks'
      ? `<div class="vote ok" role="status">${e(m.feedbackThanks)}</div>`
      : vote.state === 'comment'
        ? `<div class="vote" role="status"><p>${e(m.feedbackSorry)}</p>
<form method="post" action="${e(voteUrl)}"><input type="hidden" name="helpful" value="no"><input type="hidden" name="formKey" value="${e(vote.formKey)}">
<label class="sr" for="comment">${e(m.comment)}</label><textarea id="comment" name="comment" maxlength="2000" style="min-height:80px"></textarea>
<p><button type="submit">${e(m.sendFeedback)}</button> <a href="${e(`${base}/contact`)}">${e(m.orContactUs)}</a></p></form></div>`
        : `<div class="vote"><span>${e(m.wasItHelpful)}</span>
<form method="post" action="${e(voteUrl)}"><input type="hidden" name="helpful" value="yes"><input type="hidden" name="formKey" value="${e(vote.formKey)}"><button type="submit">${e(m.yes)}</button></form>
<form method="post" action="${e(voteUrl)}"><input type="hidden" name="helpful" value="no"><input type="hidden" name="formKey" value="${e(vote.formKey)}"><button type="submit">${e(m.no)}</button></form></div>`;
  return `<div class="crumbs"><a href="${e(base)}">${e(crumbs.homeTitle)}</a>${
    crumbs.category
      ? ` › <a href="${e(`${base}/categories/${crumbs.category.slug}`)}">${e(crumbs.category.name)}</a>`
      : ''
  }${crumbs.section ? ` › <a href="${e(`${base}/sections/${crumbs.section.slug}`)}">${e(crumbs.section.name)}</a>` : ''}</div>
${a.internal ? `<div class="note">${e(m.internalNote)}</div>` : ''}
${a.fallbackFrom ? `<div class="note">${e(text(m.fallbackNote, { wanted: localeName(a.fallbackFrom), shown: localeName(a.locale) }))}</div>` : ''}
<article class="body"><h1>${e(a.title)}</h1><p class="muted">${e(text(m.updated, { date: formatDay(nav.locale, a.updated_at) }))}</p>
${a.body_html}</article>
${a.internal ? '' : voteBox}
${related.length ? `<h2>${e(m.related)}</h2><ul>${related.map((r) => `<li><a href="${e(articleHref(nav, r))}">${e(r.title)}</a></li>`).join('')}</ul>` : ''}`;
}

export function searchBody(
  nav: Nav,
  q: string,
  corrected: string | null,
  hits: { title: string; snippet: string; url: string }[],
) {
  const m = msg(nav);
  return `${searchForm(nav, q)}
<h1 style="font-size:22px">${e(text(hits.length === 1 ? m.resultsOne : m.resultsMany, { n: hits.length, q }))}</h1>
${corrected ? `<p class="muted">${html(m.showingResultsFor, { q: `<strong>${e(corrected)}</strong>` })}</p>` : ''}
${
  hits.length
    ? hits
        .map(
          (h) => `<div class="hit"><h2><a href="${e(h.url)}">${e(h.title)}</a></h2><p>${h.snippet}</p></div>`,
        )
        .join('\n')
    : `<p>${html(m.noResults, {
        ask: `<a href="${e(`${nav.prefix}/${nav.locale}/ask?q=${encodeURIComponent(q)}`)}">${e(m.askOurAssistant)}</a>`,
        contact: `<a href="${e(`${nav.prefix}/${nav.locale}/contact`)}">${e(m.contactUsLower)}</a>`,
      })}</p>`
}`;
}

export interface ContactFormState {
  topics: string[];
  values: {
    name?: string;
    email?: string;
    topic?: string;
    orderNumber?: string;
    subject?: string;
    message?: string;
  };
  errors: Record<string, string>;
  formKey: string;
  suggestions: { title: string; url: string; snippet: string }[];
  maxFiles: number;
  maxFileMb: number;
}

export function contactBody(nav: Nav, s: ContactFormState) {
  const m = msg(nav);
  const v = s.values;
  const err = (k: string) =>
    s.errors[k] ? `<div class="error" id="${k}-error">${e(s.errors[k]!)}</div>` : '';
  const action = `${nav.prefix}/${nav.locale}/contact`;
  return `<h1>${e(m.contactUs)}</h1>
<p class="muted">${e(m.contactIntro)}</p>
${s.errors.form ? `<div class="error" role="alert">${e(s.errors.form)}</div>` : ''}
<form method="post" action="${e(action)}" enctype="multipart/form-data" id="contact">
<input type="hidden" name="formKey" value="${e(s.formKey)}">
<label for="name">${e(m.yourName)}</label><input id="name" type="text" name="name" maxlength="200" value="${e(v.name ?? '')}" autocomplete="name">
<label for="email">${e(m.emailRequired)}</label><input id="email" type="email" name="email" maxlength="320" required value="${e(v.email ?? '')}" autocomplete="email">${err('email')}
<label for="topic">${e(m.topicRequired)}</label><select id="topic" name="topic" required><option value="">${e(m.choose)}</option>${s.topics
    .map((t) => `<option${t === v.topic ? ' selected' : ''}>${e(t)}</option>`)
    .join('')}</select>${err('topic')}
<label for="orderNumber">${e(m.orderNumberOptional)}</label><input id="orderNumber" type="text" name="orderNumber" maxlength="40" value="${e(v.orderNumber ?? '')}">${err('orderNumber')}
<label for="subject">${e(m.subjectRequired)}</label><input id="subject" type="text" name="subject" maxlength="300" required value="${e(v.subject ?? '')}" autocomplete="off">${err('subject')}
<div id="suggestions" aria-live="polite">${suggestionsHtml(nav, s.suggestions)}</div>
<label for="message">${e(m.messageRequired)}</label><textarea id="message" name="message" maxlength="20000" required>${e(v.message ?? '')}</textarea>${err('message')}
<label for="files">${e(text(m.attachments, { n: s.maxFiles, mb: s.maxFileMb }))}</label><input id="files" type="file" name="attachments" multiple>${err('attachments')}
<p><button type="submit" name="action" value="send">${e(m.sendMessage)}</button> <button type="submit" name="action" value="suggest" formnovalidate style="background:#5b6475">${e(m.findAnswersFirst)}</button></p>
</form>`;
}

export function suggestionsHtml(nav: Nav, list: { title: string; url: string; snippet: string }[]) {
  if (!list.length) return '';
  return `<div class="note"><strong>${e(msg(nav).suggestionsTitle)}</strong><ul class="suggest">${list
    .map((h) => `<li><a href="${e(h.url)}" target="_blank" rel="noopener">${e(h.title)}</a></li>`)
    .join('')}</ul></div>`;
}

/**
 * Live suggestions: fetches the same list the "Find answers first" button renders, as HTML, once the
 * shopper pauses on at least 4 characters. An answer that arrives after a newer question was asked is
 * dropped, so the list always belongs to the subject as it stands. The form key lets the server keep
 * one search per form instead of one per pause.
 */
export function contactScript(suggestUrl: string) {
  return `(()=>{const s=document.getElementById('subject'),box=document.getElementById('suggestions'),k=document.querySelector('input[name=formKey]');let t,last='',seq=0;
s.addEventListener('input',()=>{clearTimeout(t);t=setTimeout(async()=>{const q=s.value.trim();if(q.length<4||q===last)return;last=q;const n=++seq;
try{const r=await fetch(${JSON.stringify(suggestUrl)}+'?q='+encodeURIComponent(q)+'&formKey='+encodeURIComponent(k.value));if(r.ok&&n===seq){box.innerHTML=await r.text();box.dataset.query=q;}}catch{}},400);});})();`;
}

export function contactThanksBody(nav: Nav, ticketId: number, email: string) {
  const m = msg(nav);
  return `<div class="ok" role="status"><h1 style="margin-top:0">${e(m.thanksTitle)}</h1>
<p>${html(m.thanksText, { ref: `<strong>#${ticketId}</strong>`, email: `<strong>${e(email)}</strong>` })}</p></div>
<p><a href="${e(`${nav.prefix}/${nav.locale}`)}">${e(m.backToHelpCenter)}</a></p>`;
}

export function trackFormBody(
  nav: Nav,
  s: {
    values: { number?: string; email?: string };
    error: string | null;
    available: boolean;
    /** The returns look-up (`/returns`): the same proof, then the order's return page. */
    forReturn?: boolean;
  },
) {
  const m = msg(nav);
  const heading = s.forReturn ? m.returnItems : m.trackOrder;
  if (!s.available)
    return `<h1>${e(heading)}</h1><div class="note">${html(m.trackUnavailable, { contact: `<a href="${e(`${nav.prefix}/${nav.locale}/contact`)}">${e(m.contactUsLower)}</a>` })}</div>`;
  return `<h1>${e(heading)}</h1>
<p class="muted">${e(m.trackIntro)}</p>
${s.error ? `<div class="error" role="alert">${e(s.error)}</div>` : ''}
<form method="post" action="${e(`${nav.prefix}/${nav.locale}/${s.forReturn ? 'returns' : 'track'}`)}">
<label for="number">${e(m.orderNumber)}</label><input id="number" type="text" name="number" required maxlength="40" value="${e(s.values.number ?? '')}">
<label for="email">${e(m.emailOrPostcode)}</label><input id="email" type="text" name="email" required maxlength="320" value="${e(s.values.email ?? '')}" autocomplete="email">
<p><button type="submit">${e(s.forReturn ? m.go : m.track)}</button></p></form>`;
}

// Minor units per currency (¥ 0, € 2, KWD 3 decimals): the one helper every screen uses.
const money = (locale: string, minor: number, currency: string) => formatMoney(minor, currency, locale);
type StatusKey =
  | 'statusCancelled'
  | 'statusDelivered'
  | 'statusPartlyShipped'
  | 'statusShipped'
  | 'statusAwaitingPayment'
  | 'statusBeingPrepared';

function orderStatusKey(o: Order): StatusKey {
  if (o.status === 'cancelled') return 'statusCancelled';
  const delivered = o.fulfillments.find((f) => f.deliveredAt || f.shipmentStatus === 'delivered');
  if (delivered) return 'statusDelivered';
  if (o.fulfillments.length)
    return o.fulfillmentStatus === 'partial' ? 'statusPartlyShipped' : 'statusShipped';
  return o.financialStatus === 'pending' ? 'statusAwaitingPayment' : 'statusBeingPrepared';
}

/** The order's state in a few words (English; the bot's replies use it). */
export function orderStatusLine(o: Order, locale = 'en'): string {
  return messagesFor(locale)[orderStatusKey(o)];
}

/**
 * What the tracking module knows of an order's parcels (docs/tracking.md): the normalised status of each
 * and whether a delay or problem was found. The help center defines the port; tracking provides it.
 */
export interface OrderDeliveryStatus {
  parcels: {
    carrier: string | null;
    trackingNumber: string;
    status: string;
    estimatedDeliveryAt: string | null;
  }[];
  /** A delay (new estimate) or a carrier problem found on one of the parcels; null when all is on time. */
  delay: { kind: 'late' | 'problem'; estimate: string | null } | null;
}
export type DeliveryStatusSource = (
  workspaceId: number,
  orderId: number,
) => Promise<OrderDeliveryStatus | null>;

function deliveryBody(nav: Nav, d: OrderDeliveryStatus | null | undefined) {
  if (!d) return '';
  const m = msg(nav);
  const day = (iso: string | null) => formatDay(nav.locale, iso);
  const banner = d.delay
    ? `<div class="warn delay-banner" role="status">${e(
        d.delay.kind === 'late' && d.delay.estimate
          ? text(m.delayLate, { date: day(d.delay.estimate) })
          : m.delayProblem,
      )}</div>`
    : '';
  const label = (s: string) => (m as Record<string, string>)[`ps_${s}`] ?? s.replace(/_/g, ' ');
  const parcels = d.parcels.length
    ? `<h2>${e(m.parcels)}</h2><ul class="parcels">${d.parcels
        .map(
          (p) =>
            `<li data-status="${e(p.status)}">${e(text(m.parcelLine, { carrier: p.carrier ?? '', number: p.trackingNumber, status: label(p.status) }))}${
              p.estimatedDeliveryAt && p.status !== 'delivered'
                ? ` (${e(text(m.expected, { date: day(p.estimatedDeliveryAt) }))})`
                : ''
            }</li>`,
        )
        .join('')}</ul>`
    : '';
  return { banner, parcels };
}

export function trackResultBody(nav: Nav, o: Order, delivery?: OrderDeliveryStatus | null) {
  const m = msg(nav);
  const d = deliveryBody(nav, delivery) || { banner: '', parcels: '' };
  const day = (iso: string | null) => formatDay(nav.locale, iso);
  const events: { at: string; text: string; link?: string | null }[] = [
    { at: o.placedAt, text: m.orderPlaced },
  ];
  for (const f of o.fulfillments) {
    if (f.shippedAt)
      events.push({
        at: f.shippedAt,
        text: `${f.carrier ? text(m.shippedWith, { carrier: f.carrier }) : m.statusShipped}${f.trackingNumber ? ` — ${text(m.trackingNumber, { number: f.trackingNumber })}` : ''}`,
        link: f.trackingUrl,
      });
    if (f.shipmentStatus && !f.deliveredAt && f.shipmentStatus !== 'delivered')
      events.push({
        at: f.shippedAt ?? o.updatedAt,
        text: `${text(m.carrierStatus, { status: f.shipmentStatus.replace(/_/g, ' ') })}${f.expectedDeliveryAt ? ` (${text(m.expected, { date: day(f.expectedDeliveryAt) })})` : ''}`,
      });
    if (f.deliveredAt) events.push({ at: f.deliveredAt, text: m.statusDelivered });
  }
  if (o.cancelledAt) events.push({ at: o.cancelledAt, text: m.statusCancelled });
  events.sort((a, b) => a.at.localeCompare(b.at));
  const price = (minor: number) => money(nav.locale, minor, o.currency);
  return `<h1>${e(text(m.orderTitle, { number: o.number }))}</h1>
${d.banner}<p><strong>${e(m.status)}</strong> ${e(orderStatusLine(o, nav.locale))}</p>
${d.parcels}<h2>${e(m.shipment)}</h2><ul class="timeline">${events
    .map(
      (ev) =>
        `<li><span class="muted">${e(day(ev.at))}</span><br>${e(ev.text)}${ev.link && /^https?:\/\//.test(ev.link) ? ` — <a href="${e(ev.link)}" rel="noopener noreferrer">${e(m.trackWithCarrier)}</a>` : ''}</li>`,
    )
    .join('')}</ul>
<h2>${e(m.items)}</h2><table><thead><tr><th>${e(m.item)}</th><th>${e(m.qty)}</th><th>${e(m.price)}</th></tr></thead><tbody>${o.lineItems
    .map(
      (li) =>
        `<tr><td>${e(li.title)}${li.variantTitle ? ` — ${e(li.variantTitle)}` : ''}</td><td>${li.quantity}</td><td>${e(price(li.price))}</td></tr>`,
    )
    .join('')}</tbody></table>
<p><strong>${e(m.total)}</strong> ${e(price(o.total))}</p>
<p><a href="${e(`${nav.prefix}/${nav.locale}/contact`)}">${e(m.orderQuestions)}</a></p>`;
}

export function askBody(
  nav: Nav,
  s: {
    formKey: string;
    transcript: { from: 'bot' | 'me'; html: string }[];
  },
) {
  const m = msg(nav);
  return `<h1>${e(m.askQuestion)}</h1>
<div class="chat">${s.transcript.map((t) => `<p class="${t.from}">${t.html}</p>`).join('\n')}</div>
<form method="post" action="${e(`${nav.prefix}/${nav.locale}/ask`)}" class="search" style="margin-top:12px">
<input type="hidden" name="formKey" value="${e(s.formKey)}"><label class="sr" for="text">${e(m.yourMessage)}</label>
<input id="text" type="text" name="text" maxlength="1000" required placeholder="${e(m.askPlaceholder)}" autofocus><button type="submit">${e(m.send)}</button></form>`;
}

export function notFoundBody(nav: Nav, what: NotFoundWhat = 'page') {
  const m = msg(nav);
  return `<h1>${e(notFoundText(m, what))}</h1>${searchForm(nav)}<p><a href="${e(`${nav.prefix}/${nav.locale}`)}">${e(m.backToHelpCenter)}</a></p>`;
}

export function errorBody(message: string) {
  return `<div class="error" role="alert">${e(message)}</div>`;
}
