import type sanitizeHtml from 'sanitize-html';
import { sanitizeMessageHtml } from '../../platform/html/sanitize.ts';

const dim = (v: string | undefined) => {
  const n = Number.parseFloat(v ?? '');
  return Number.isFinite(n) ? n : null;
};

function isTrackingPixel(attribs: Record<string, string>): boolean {
  const style = (attribs.style ?? '').toLowerCase().replace(/\s/g, '');
  const w = dim(attribs.width) ?? dim(/(?:^|;)width:([\d.]+)px/.exec(style)?.[1]);
  const h = dim(attribs.height) ?? dim(/(?:^|;)height:([\d.]+)px/.exec(style)?.[1]);
  if ((w !== null && w <= 2) || (h !== null && h <= 2)) return true;
  return /display:none|visibility:hidden|opacity:0(;|$)/.test(style);
}

/**
 * Every `<head …>…</head>` removed, by index scans: the regex it replaces was quadratic on mail with
 * many `<head ` and no `</head>` (each one scanned to the end).
 */
function dropHead(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let pos = 0;
  for (let at = lower.indexOf('<head', pos); at >= 0; at = lower.indexOf('<head', pos)) {
    const next = lower[at + 5];
    if (next !== '>' && !/\s/.test(next ?? '')) {
      out += html.slice(pos, at + 5);
      pos = at + 5;
      continue;
    }
    const end = lower.indexOf('</head>', at);
    if (end < 0) break;
    out += html.slice(pos, at);
    pos = end + 7;
  }
  return out + html.slice(pos);
}

/**
 * Email HTML made safe to store: the platform's message allow-list, plus in the same pass:
 * - `cid:` images point at our served copies of the inline parts;
 * - remote images become links (loading them would tell the sender when and where an agent read the
 *   mail), and invisible 1×1 "tracking pixels" are dropped outright;
 * - the document head (title, styles, meta refresh) goes.
 */
export function prepareEmailHtml(html: string, inlineUrls: Map<string, string>): string {
  const body = dropHead(html);
  // One pass: the images rewritten while the message allow-list is applied (the result is stored as is;
  // a second sanitising pass cost the ingest path ~0.1 ms per email).
  return sanitizeMessageHtml(body, (tagName, attribs): sanitizeHtml.Tag => {
    const src = (attribs.src ?? '').trim();
    if (/^cid:/i.test(src)) {
      const url = inlineUrls.get(src.slice(4).replace(/^<|>$/g, '').toLowerCase());
      return url
        ? { tagName, attribs: { ...attribs, src: url } }
        : { tagName: 'span', attribs: {}, text: attribs.alt ? `[${attribs.alt}]` : '' };
    }
    if (/^data:image\//i.test(src) && !isTrackingPixel(attribs)) return { tagName, attribs };
    if (isTrackingPixel(attribs) || !/^https?:\/\//i.test(src))
      return { tagName: 'span', attribs: { 'data-removed': 'image' }, text: '' };
    return {
      tagName: 'a',
      attribs: {
        href: src,
        title: 'Remote image (not loaded)',
        target: '_blank',
        rel: 'noopener noreferrer nofollow',
      },
      text: `[image${attribs.alt ? `: ${attribs.alt}` : ''}]`,
    };
  });
}
