import { Parser } from 'htmlparser2';

/**
 * What an agent reads is the new part of a reply; the full original stays downloadable as .eml.
 * These rules cover the attribution lines and separators of the common clients (Gmail, Apple Mail,
 * Outlook, Thunderbird, Android, iOS) in the languages shops most often see.
 */
// Tested on text whose trailing white space is already trimmed: one `\s*` before the optional colon
// keeps the pattern linear (two around it let the spaces split every way).
const ATTRIBUTION_END =
  /(wrote|schrieb|a écrit|escribió|ha scritto|schreef|skrev|kirjoitti|napisał|написал|написала|írta|yazdı|пишет)\s*[:：]?$/i;
const SEPARATORS = [
  /^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}\s*$/i,
  /^\s*-{2,}\s*forwarded message\s*-{2,}\s*$/i,
  /^\s*_{20,}\s*$/,
  /^\s*begin forwarded message:?\s*$/i,
];
const OUTLOOK_HEADER = /^\s*\*?(from|von|de|da|van)\s*:\*?\s+\S/i;
const OUTLOOK_NEXT = /^\s*\*?(sent|date|gesendet|envoyé|enviado|inviato|to|an|à)\s*:\*?\s/i;
const MOBILE_SIGNATURE =
  /^\s*(sent from my (iphone|ipad|android|mobile|samsung|galaxy|blackberry)|get outlook for (ios|android)|sent from (outlook|yahoo mail|mail) for|von meinem iphone gesendet|envoyé de mon iphone)/i;

/** Markers are looked for in this much of a message; a reply's new part comes first, and a 25 MB
 * body must not hold the event loop (quote stripping runs for every inbound email). */
export const QUOTE_SCAN_LIMIT = 256 * 1024;
/** Attribution, separator and header lines are short; longer lines are never tested against them. */
const MARKER_LINE_MAX = 1000;

function attributionAt(lines: string[], i: number): boolean {
  const one = lines[i] ?? '';
  if (!one.trim()) return false;
  // Attribution lines wrap: "On Mon, 2 Apr 2012 at 18:26, Megan <m@x.\ncom> wrote:".
  for (let span = 1; span <= 3; span++) {
    const last = lines[i + span - 1];
    // A wrapped attribution never contains a blank line (nor a line longer than any attribution).
    if (last === undefined || last.length > MARKER_LINE_MAX) return false;
    if (span > 1 && !last.trim()) return false;
    const joined = lines.slice(i, i + span).join(' ');
    // The pattern is anchored at the end: testing only the tail keeps a long line from being scanned
    // from every position.
    if (!ATTRIBUTION_END.test(joined.trimEnd().slice(-64))) continue;
    if (/^\s*(on|am|le|el|il|op|den|w dniu)\b/i.test(one) || /^\s*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}/.test(one))
      return true;
    if (one.includes('@')) return true;
  }
  return false;
}

const isQuotedLine = (line: string) => line.trimStart().startsWith('>');

function isMarkerLine(lines: string[], i: number): boolean {
  const line = lines[i]!;
  if (line.length > MARKER_LINE_MAX) return false;
  return (
    SEPARATORS.some((re) => re.test(line)) ||
    attributionAt(lines, i) ||
    (OUTLOOK_HEADER.test(line) &&
      lines.slice(i + 1, i + 5).some((l) => l.length <= MARKER_LINE_MAX && OUTLOOK_NEXT.test(l))) ||
    /^-- ?$/.test(line) ||
    MOBILE_SIGNATURE.test(line)
  );
}

/**
 * One pass over the lines (plus one backwards to find where the unquoted text ends), so the time is
 * linear in the message: each check looks at a fixed number of lines of bounded length.
 */
export function stripQuotedText(text: string): { body: string; stripped: boolean } {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  // "A run of '> ' lines that reaches the end of the message" starts after the last line that is
  // neither quoted nor blank.
  let lastUnquoted = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (l.trim() && !isQuotedLine(l)) {
      lastUnquoted = i;
      break;
    }
  }
  let cut = lines.length;
  let seen = 0;
  for (let i = 0; i < lines.length && seen <= QUOTE_SCAN_LIMIT; i++) {
    const line = lines[i]!;
    seen += line.length + 1;
    if (isMarkerLine(lines, i) || (i > lastUnquoted && isQuotedLine(line))) {
      cut = i;
      break;
    }
  }
  const body = lines.slice(0, cut).join('\n').trim();
  // Never show an empty message because every line looked like a quote.
  if (!body) return { body: text.trim(), stripped: false };
  return { body, stripped: cut < lines.length };
}

const HEADER_FROM = /^\s*(from|von|de|da|van)\s*:\s*$/i;
const HEADER_SENT = /^\s*(sent|date|gesendet|envoy[ée]|enviado|inviato)\s*:\s*$/i;
const QUOTE_CLASS = /\b(gmail_quote|gmail_attr|yahoo_quoted|moz-cite-prefix|protonmail_quote|zmail_extra)\b/i;
const QUOTE_ID = /^(divRplyFwdMsg|appendonsend|mail-editor-reference-message-container)/i;
const OUTLOOK_BORDER = /border-top:\s*solid\s+#e1e1e1/i;

/** A client's quote container, known by its tag and attributes alone. */
function isQuoteContainer(name: string, a: Record<string, string>): boolean {
  if (name === 'div') return QUOTE_CLASS.test(a.class ?? '') || QUOTE_ID.test(a.id ?? '');
  if (name === 'blockquote') return /^cite/i.test(a.type ?? '');
  if (name === 'hr') return /^stopSpelling/i.test(a.id ?? '');
  return false;
}

/**
 * Where the quoted original starts in an HTML reply (html.length if nowhere). htmlparser2's tokenizer
 * reads the markup once, so the time is linear in the message whatever its shape (the regexes this
 * replaces backtracked over crafted tags). Recognised:
 * - the quote containers of Gmail, Apple Mail/Thunderbird (cite blockquote), Outlook, Yahoo, Proton, Zoho;
 * - desktop Outlook's border-top div followed by a "<p><b>" header;
 * - an Outlook-style "<b>From:</b> … <b>Sent:</b>" header block (Outlook on the web, pasted replies):
 *   cut at the element that holds the "From:".
 */
function quoteStart(html: string): { cut: number; firstWordAt: number } {
  let cut = html.length;
  let firstWordAt = html.length;
  // The p/div/font/span opened since the last words (the container of what follows).
  let blockStart = -1;
  // Desktop Outlook: the border-top div, then a <p>, then a <b>, with only white space between.
  let border: { at: number; step: 'div' | 'p' } | null = null;
  let bold: { at: number; container: number; text: string } | null = null;
  const froms: { at: number; container: number }[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const at = parser.startIndex;
        if (at >= cut) return;
        if (isQuoteContainer(name, attribs)) cut = at;
        if (border?.step === 'div' && name === 'p') border.step = 'p';
        else if (border?.step === 'p' && name === 'b' && !Object.keys(attribs).length)
          cut = Math.min(cut, border.at);
        else border = null;
        if (name === 'div' && OUTLOOK_BORDER.test(attribs.style ?? '')) border = { at, step: 'div' };
        if (name === 'b') {
          const container = blockStart >= 0 && at - blockStart <= 300 ? blockStart : at;
          bold = { at, container, text: '' };
        } else bold = null;
        if (blockStart < 0 && /^(p|div|font|span)$/.test(name)) blockStart = at;
      },
      ontext(text) {
        if (bold && bold.text.length < 100) bold.text += text;
        if (!/^\s*$/.test(text)) {
          if (firstWordAt === html.length && text.replace(/&nbsp;|\s/g, '')) firstWordAt = parser.startIndex;
          blockStart = -1;
          border = null;
        }
      },
      onclosetag(name) {
        if (name !== 'b' || !bold) return;
        const b = bold;
        bold = null;
        if (HEADER_FROM.test(b.text)) froms.push({ at: b.at, container: b.container });
        else if (HEADER_SENT.test(b.text)) {
          // The first "From:" that this "Sent:" follows within 600 characters.
          const from = froms.find((f) => parser.endIndex - f.at < 600);
          if (from) cut = Math.min(cut, from.container);
        }
        while (froms.length && parser.endIndex - froms[0]!.at >= 600) froms.shift();
      },
    },
    { decodeEntities: false },
  );
  parser.end(html);
  return { cut, firstWordAt };
}

/** The end of the html without trailing rules, line breaks, &nbsp; and white space (a backwards scan). */
function trimTrailingBlank(html: string): string {
  let end = html.length;
  for (;;) {
    while (end > 0 && /\s/.test(html[end - 1]!)) end--;
    if (end >= 6 && html.slice(end - 6, end).toLowerCase() === '&nbsp;') {
      end -= 6;
      continue;
    }
    if (html[end - 1] === '>') {
      const open = html.lastIndexOf('<', end - 1);
      if (open >= 0 && /^<(br|hr)\b[^<>]*>$/i.test(html.slice(open, end))) {
        end = open;
        continue;
      }
    }
    return html.slice(0, end);
  }
}

/** Cuts an HTML reply before the quoted original; the caller sanitises what is left. */
export function stripQuotedHtml(html: string): { html: string; stripped: boolean } {
  const { cut, firstWordAt } = quoteStart(html.slice(0, QUOTE_SCAN_LIMIT));
  if (cut >= Math.min(html.length, QUOTE_SCAN_LIMIT)) return { html, stripped: false };
  // Only tags left, no words: the whole message was the quote (a bare forward) — keep all of it.
  if (firstWordAt >= cut) return { html, stripped: false };
  // Outlook puts a rule (and blank lines) above the quoted header; without the quote they are clutter.
  return { html: trimTrailingBlank(html.slice(0, cut)), stripped: true };
}
