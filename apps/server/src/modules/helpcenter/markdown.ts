import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from '../../platform/html/sanitize.ts';

/**
 * Markdown for help-center articles: headings, paragraphs, lists, tables, quotes, code, links, images
 * and video embeds from an allow-list. Raw HTML in the source is shown as text, never interpreted:
 * only the tags produced here reach the page, and the result passes an allow-list sanitiser as well.
 */

const VIDEO_HOSTS = ['www.youtube-nocookie.com', 'player.vimeo.com'];

/** A YouTube or Vimeo page URL → its embeddable player URL; null for anything else. */
export function videoEmbedUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:') return null;
  const host = u.hostname.replace(/^www\./, '');
  if ((host === 'youtube.com' || host === 'm.youtube.com') && u.pathname === '/watch') {
    const id = u.searchParams.get('v') ?? '';
    return /^[\w-]{6,20}$/.test(id) ? `https://www.youtube-nocookie.com/embed/${id}` : null;
  }
  const short = host === 'youtu.be' ? u.pathname.match(/^\/([\w-]{6,20})$/) : null;
  if (short) return `https://www.youtube-nocookie.com/embed/${short[1]}`;
  const vimeo = host === 'vimeo.com' ? u.pathname.match(/^\/(\d{4,12})$/) : null;
  if (vimeo) return `https://player.vimeo.com/video/${vimeo[1]}`;
  return null;
}

function safeUrl(raw: string, forImage = false): string | null {
  const url = raw.trim();
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  if (url.startsWith('#') && !forImage) return url;
  if (/^https:\/\//i.test(url)) return url;
  if (!forImage && /^(http:\/\/|mailto:|tel:)/i.test(url)) return url;
  return null;
}

export function slugifyHeading(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/** Inline markup on one line of source text; the text is escaped before any tag is added. */
function inline(src: string): string {
  const held: string[] = [];
  const hold = (html: string) => `\uE000${held.push(html) - 1}\uE001`;
  let s = src.replace(/`([^`]+)`/g, (_, code: string) => hold(`<code>${escapeHtml(code)}</code>`));
  s = s.replace(
    /!\[([^\]]*)\]\(([^)\s]+)(?:\s+"([^"]*)")?\)/g,
    (all, alt: string, url: string, title?: string) => {
      const u = safeUrl(url, true);
      if (!u) return hold(escapeHtml(all));
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return hold(`<img src="${escapeHtml(u)}" alt="${escapeHtml(alt)}"${t} loading="lazy">`);
    },
  );
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (all, text: string, url: string) => {
    const u = safeUrl(url);
    if (!u) return hold(escapeHtml(all));
    return hold(`<a href="${escapeHtml(u)}">${inline(text)}</a>`);
  });
  s = s.replace(/\bhttps:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/g, (url) =>
    hold(`<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`),
  );
  s = escapeHtml(s);
  s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/__([^_]+)__/g, '<strong>$1</strong>');
  s = s
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    .replace(/(^|\W)_([^_\s][^_]*)_/g, '$1<em>$2</em>');
  return s.replace(/\uE000(\d+)\uE001/g, (_, i: string) => held[Number(i)]!);
}

const splitRow = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

export interface RenderedMarkdown {
  html: string;
  /** Plain text (for search, snippets and the bot). */
  text: string;
  headings: { level: number; text: string; id: string }[];
}

export function renderMarkdown(md: string): RenderedMarkdown {
  const lines = md
    .replace(/\r\n?/g, '\n')
    .replace(/[\uE000\uE001]/g, '')
    .split('\n');
  const out: string[] = [];
  const headings: RenderedMarkdown['headings'] = [];
  const usedIds = new Set<string>();
  let i = 0;
  const isBlockStart = (l: string) =>
    /^(#{1,6}\s|```|>|\s*[-*+]\s|\s*\d+[.)]\s|---+\s*$|\|)/.test(l) || videoLine(l) !== null;
  function videoLine(l: string): string | null {
    const m = l.trim().match(/^(?:@\[video\]\((\S+)\)|(https:\/\/\S+))$/);
    const url = m?.[1] ?? m?.[2];
    return url ? videoEmbedUrl(url) : null;
  }
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const m = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (m) {
      const level = m[1]!.length;
      const text = m[2]!;
      let id = slugifyHeading(text) || `section-${headings.length + 1}`;
      while (usedIds.has(id)) id = `${id}-2`;
      usedIds.add(id);
      headings.push({ level, text, id });
      out.push(`<h${level} id="${id}">${inline(text)}</h${level}>`);
      i++;
    } else if (line.startsWith('```')) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.startsWith('```')) code.push(lines[i++]!);
      i++;
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
    } else if (/^---+\s*$/.test(line)) {
      out.push('<hr>');
      i++;
    } else if (line.startsWith('>')) {
      const quote: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('>')) quote.push(lines[i++]!.replace(/^>\s?/, ''));
      out.push(`<blockquote>${renderMarkdown(quote.join('\n')).html}</blockquote>`);
    } else if (/^\s*([-*+]|\d+[.)])\s/.test(line)) {
      const ordered = /^\s*\d+[.)]\s/.test(line);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s/.test(lines[i]!)) {
        let item = lines[i++]!.replace(/^\s*([-*+]|\d+[.)])\s+/, '');
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]!) && !/^\s*([-*+]|\d+[.)])\s/.test(lines[i]!))
          item += ` ${lines[i++]!.trim()}`;
        items.push(`<li>${inline(item)}</li>`);
      }
      out.push(ordered ? `<ol>${items.join('')}</ol>` : `<ul>${items.join('')}</ul>`);
    } else if (line.trim().startsWith('|') && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
      const head = splitRow(line);
      const aligns = splitRow(lines[i + 1]!).map((c) =>
        c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : '',
      );
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.trim().startsWith('|')) rows.push(splitRow(lines[i++]!));
      const cell = (tag: string, c: string, k: number) =>
        `<${tag}${aligns[k] ? ` style="text-align:${aligns[k]}"` : ''}>${inline(c)}</${tag}>`;
      out.push(
        `<div class="table"><table><thead><tr>${head.map((c, k) => cell('th', c, k)).join('')}</tr></thead><tbody>${rows
          .map((r) => `<tr>${head.map((_, k) => cell('td', r[k] ?? '', k)).join('')}</tr>`)
          .join('')}</tbody></table></div>`,
      );
    } else if (videoLine(line)) {
      out.push(
        `<div class="video"><iframe src="${escapeHtml(videoLine(line)!)}" title="Video" loading="lazy" allowfullscreen></iframe></div>`,
      );
      i++;
    } else {
      const para: string[] = [];
      while (i < lines.length && lines[i]!.trim() && (para.length === 0 || !isBlockStart(lines[i]!)))
        para.push(lines[i++]!.trim());
      out.push(`<p>${inline(para.join(' '))}</p>`);
    }
  }
  const html = sanitizeHtml(out.join('\n'), {
    allowedTags: [
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'p',
      'br',
      'hr',
      'ul',
      'ol',
      'li',
      'blockquote',
      'pre',
      'code',
      'strong',
      'em',
      'a',
      'img',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'div',
      'iframe',
    ],
    allowedAttributes: {
      h1: ['id'],
      h2: ['id'],
      h3: ['id'],
      h4: ['id'],
      h5: ['id'],
      h6: ['id'],
      a: ['href'],
      img: ['src', 'alt', 'title', 'loading'],
      th: ['style'],
      td: ['style'],
      div: ['class'],
      iframe: ['src', 'title', 'loading', 'allowfullscreen'],
    },
    allowedStyles: { '*': { 'text-align': [/^(left|right|center)$/] } },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['https'], iframe: ['https'] },
    allowedIframeHostnames: VIDEO_HOSTS,
    allowedClasses: { div: ['table', 'video'] },
  });
  return { html, text: htmlToPlainText(html), headings };
}

export function htmlToPlainText(html: string): string {
  // \u0002/\u0003 delimit search highlights (search-text.ts): they must not occur in article text.
  // Table cells get a space, or neighbouring cells run together ("Payment methodMoney back").
  return html
    .replaceAll('\u0002', '')
    .replaceAll('\u0003', '')
    .replace(/<(iframe|img)[^>]*>/g, ' ')
    .replace(/<\/(p|h\d|li|tr|blockquote|pre|div)>/g, '\n')
    .replace(/<\/t[dh]>/g, ' ')
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}
