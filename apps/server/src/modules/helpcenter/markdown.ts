import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from '../../platform/html/sanitize.ts';

/**
 * Markdown for help-center articles, parsed by markdown-it (CommonMark + GFM tables): headings with
 * ids, paragraphs, lists, tables, quotes, code, links, images and video embeds from an allow-list.
 * markdown-it replaced a hand-written renderer whose heading regex was cubic (a heading plus a few
 * thousand spaces took seconds); it is CommonMark-conformant and tested against pathological inputs
 * upstream. Raw HTML in the source is shown as text (`html: false`), only https/http/mailto/tel and
 * relative links are kept, and the result still passes an allow-list sanitiser.
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

export function slugifyHeading(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/** Links keep only these schemes (or none: relative and in-page links); images need https or a path. */
const LINK_SCHEMES = /^(https?|mailto|tel):/i;
function allowedUrl(raw: string, forImage = false): boolean {
  const url = raw.trim();
  if (url.startsWith('//')) return false;
  if (forImage) return /^https:\/\//i.test(url) || url.startsWith('/');
  return !/^[a-z][a-z0-9+.-]*:/i.test(url) || LINK_SCHEMES.test(url);
}

const VIDEO_LINE = /^(?:@\[video\]\((\S+)\)|(https:\/\/\S+))$/;

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
// Only full https?:// URLs become links, not every word with a dot in it.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
md.validateLink = (url) => allowedUrl(url);
// One space, as the page always showed it (and the plain text keeps sentences on one line).
md.renderer.rules.softbreak = () => ' ';
md.renderer.rules.table_open = () => '<div class="table"><table>\n';
md.renderer.rules.table_close = () => '</table></div>\n';
const renderImage = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  if (!allowedUrl(String(token.attrGet('src') ?? ''), true)) return escapeHtml(token.content);
  token.attrSet('loading', 'lazy');
  return renderImage(tokens, idx, options, env, self);
};

type RenderEnv = {
  headings: RenderedMarkdown['headings'];
};

/** Heading ids (unique within the article) and the outline, after inline parsing. */
md.core.ruler.push('heading_ids', (state) => {
  const env = state.env as RenderEnv;
  const used = new Set<string>();
  for (let i = 0; i < state.tokens.length; i++) {
    const open = state.tokens[i]!;
    if (open.type !== 'heading_open') continue;
    const text = (state.tokens[i + 1]?.children ?? [])
      .filter((c) => c.type === 'text' || c.type === 'code_inline')
      .map((c) => c.content)
      .join('');
    let id = slugifyHeading(text) || `section-${env.headings.length + 1}`;
    while (used.has(id)) id = `${id}-2`;
    used.add(id);
    open.attrSet('id', id);
    env.headings.push({ level: Number(open.tag.slice(1)), text, id });
  }
});

/** A paragraph that is only `@[video](url)` or a YouTube/Vimeo URL becomes an embedded player. */
md.core.ruler.push('video_embeds', (state) => {
  const t = state.tokens;
  for (let i = 0; i + 2 < t.length; i++) {
    if (t[i]!.type !== 'paragraph_open' || t[i + 2]!.type !== 'paragraph_close') continue;
    const m = t[i + 1]!.content.trim().match(VIDEO_LINE);
    const embed = m ? videoEmbedUrl(m[1] ?? m[2]!) : null;
    if (!embed) continue;
    const block = new state.Token('html_block', '', 0);
    block.content = `<div class="video"><iframe src="${escapeHtml(embed)}" title="Video" loading="lazy" allowfullscreen></iframe></div>\n`;
    t.splice(i, 3, block);
  }
});

export interface RenderedMarkdown {
  html: string;
  /** Plain text (for search, snippets and the bot). */
  text: string;
  headings: { level: number; text: string; id: string }[];
}

export function renderMarkdown(source: string): RenderedMarkdown {
  const env: RenderEnv = { headings: [] };
  const html = sanitizeHtml(md.render(source, env), sanitizeOptions);
  return { html, text: htmlToPlainText(html), headings: env.headings };
}

const sanitizeOptions: sanitizeHtml.IOptions = {
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
};

export function htmlToPlainText(html: string): string {
  // \u0002/\u0003 delimit search highlights (search-text.ts): they must not occur in article text.
  // Table cells get a space, or neighbouring cells run together ("Payment methodMoney back").
  return html
    .replaceAll('\u0002', '')
    .replaceAll('\u0003', '')
    .replace(/<(iframe|img)[^<>]*>/g, ' ')
    .replace(/<\/(p|h\d|li|tr|blockquote|pre|div)>/g, '\n')
    .replace(/<\/t[dh]>\s*/g, ' ')
    .replace(/<br>/g, '\n')
    .replace(/<[^<>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}
