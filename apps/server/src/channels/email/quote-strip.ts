/**
 * What an agent reads is the new part of a reply; the full original stays downloadable as .eml.
 * These rules cover the attribution lines and separators of the common clients (Gmail, Apple Mail,
 * Outlook, Thunderbird, Android, iOS) in the languages shops most often see.
 */
const ATTRIBUTION_END =
  /(wrote|schrieb|a écrit|escribió|ha scritto|schreef|skrev|kirjoitti|napisał|написал|написала|írta|yazdı|пишет|wrote\s*[:：])\s*[:：]?\s*$/i;
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

function attributionAt(lines: string[], i: number): boolean {
  const one = lines[i] ?? '';
  if (!one.trim()) return false;
  // Attribution lines wrap: "On Mon, 2 Apr 2012 at 18:26, Megan <m@x.\ncom> wrote:".
  for (let span = 1; span <= 3; span++) {
    // A wrapped attribution never contains a blank line.
    if (span > 1 && !lines[i + span - 1]?.trim()) return false;
    const joined = lines.slice(i, i + span).join(' ');
    // The pattern is anchored at the end: testing only the tail keeps a long line from being scanned
    // from every position (this check runs for each line of every inbound email).
    if (!ATTRIBUTION_END.test(joined.trimEnd().slice(-64))) continue;
    if (/^\s*(on|am|le|el|il|op|den|w dniu)\b/i.test(one) || /^\s*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}/.test(one))
      return true;
    if (/@/.test(one)) return true;
  }
  return false;
}

export function stripQuotedText(text: string): { body: string; stripped: boolean } {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let cut = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (
      SEPARATORS.some((re) => re.test(line)) ||
      attributionAt(lines, i) ||
      (OUTLOOK_HEADER.test(line) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_NEXT.test(l))) ||
      /^-- ?$/.test(line) ||
      MOBILE_SIGNATURE.test(line)
    ) {
      cut = i;
      break;
    }
    // A run of "> " lines that reaches the end of the message is the quoted original.
    if (/^\s*>/.test(line) && lines.slice(i).every((l) => /^\s*>/.test(l) || !l.trim())) {
      cut = i;
      break;
    }
  }
  const body = lines.slice(0, cut).join('\n').trim();
  // Never show an empty message because every line looked like a quote.
  if (!body) return { body: text.trim(), stripped: false };
  return { body, stripped: cut < lines.length };
}

const HTML_FROM = /<b>\s*(from|von|de|da|van)\s*:\s*<\/b>/gi;
const HTML_SENT = /<b>\s*(sent|date|gesendet|envoy[ée]|enviado|inviato)\s*:\s*<\/b>/i;

/**
 * Where an Outlook-style "<b>From:</b> … <b>Sent:</b> …" header block starts when no container marks
 * it (Outlook on the web, pasted replies): the element that holds the "From:". html.length if none.
 */
function outlookHeaderBlock(html: string): number {
  HTML_FROM.lastIndex = 0;
  for (let m = HTML_FROM.exec(html); m; m = HTML_FROM.exec(html)) {
    if (!HTML_SENT.test(html.slice(m.index, m.index + 600))) continue;
    const before = html.slice(Math.max(0, m.index - 300), m.index);
    const open = [...before.matchAll(/<(p|div|font|span)\b[^>]*>(?:\s|<[^>]+>)*$/gi)][0];
    return open ? m.index - before.length + open.index : m.index;
  }
  return html.length;
}

/** Cuts an HTML reply before the quoted original; the caller sanitises what is left. */
export function stripQuotedHtml(html: string): { html: string; stripped: boolean } {
  const markers = [
    /<div[^>]+class=["'][^"']*\bgmail_quote\b/i,
    /<div[^>]+class=["'][^"']*\bgmail_attr\b/i,
    /<blockquote[^>]+type=["']?cite/i,
    /<div[^>]+id=["']?(divRplyFwdMsg|appendonsend|mail-editor-reference-message-container)/i,
    /<hr[^>]+id=["']?stopSpelling/i,
    /<div[^>]+class=["'][^"']*\b(yahoo_quoted|moz-cite-prefix|protonmail_quote|zmail_extra)\b/i,
    /<div[^>]+style=["'][^"']*border-top:\s*solid\s+#e1e1e1[^>]*>\s*<p[^>]*>\s*<b>/i,
  ];
  let cut = outlookHeaderBlock(html);
  for (const re of markers) {
    const m = re.exec(html);
    if (m && m.index < cut) cut = m.index;
  }
  if (cut === html.length) return { html, stripped: false };
  // Outlook puts a rule (and blank lines) above the quoted header; without the quote they are clutter.
  const kept = html.slice(0, cut).replace(/(?:<hr\b[^>]*>|<br\s*\/?>|&nbsp;|\s)+$/i, '');
  // Only tags left, no words: the whole message was the quote (a bare forward) — keep all of it.
  if (!kept.replace(/<[^>]*>/g, '').replace(/&nbsp;|\s/g, '')) return { html, stripped: false };
  return { html: kept, stripped: true };
}
