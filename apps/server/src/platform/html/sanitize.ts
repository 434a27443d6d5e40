import sanitizeHtml from 'sanitize-html';

/**
 * HTML from customers is stored only after this: no scripts, no event handlers, no forms, no styles
 * that can overlay the UI. The dashboard renders it in a sandboxed iframe on top of this.
 */
export function sanitizeMessageHtml(
  html: string,
  /** A channel's own rewrite of images (email: served cid: parts, blocked remote images), in the same pass. */
  img?: sanitizeHtml.Transformer,
): string {
  return sanitizeHtml(html, {
    // Their text is never content: a page title or a <noscript> fallback must not show up in the body.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'iframe'),
      'img',
      'span',
      'font',
      'center',
      'del',
      'ins',
      'sub',
      'sup',
    ],
    allowedAttributes: {
      '*': ['style', 'align', 'dir', 'lang', 'title', 'width', 'height', 'bgcolor', 'color'],
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      td: ['colspan', 'rowspan', 'valign'],
      th: ['colspan', 'rowspan', 'valign'],
      table: ['cellpadding', 'cellspacing', 'border'],
      font: ['face', 'size', 'color'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel', 'cid'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
    allowedStyles: {
      '*': {
        color: [/^[#a-z0-9(),.\s%]+$/i],
        'background-color': [/^[#a-z0-9(),.\s%]+$/i],
        'text-align': [/^(left|right|center|justify)$/],
        'font-weight': [/^(bold|normal|\d{3})$/],
        'font-style': [/^(italic|normal)$/],
        'text-decoration': [/^[a-z\s-]+$/],
        'font-size': [/^\d+(\.\d+)?(px|pt|em|rem|%)$/],
        padding: [/^[\d.\spxem%]+$/],
        margin: [/^[\d.\spxem%auto-]+$/],
        border: [/^[\w\s#().,%-]+$/],
        width: [/^\d+(\.\d+)?(px|%|em)?$/],
      },
    },
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' },
      }),
      ...(img ? { img } : {}),
    },
  });
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Plain text to safe HTML paragraphs with clickable links. */
export function textToHtml(text: string): string {
  return escapeHtml(text)
    .replace(
      /https?:\/\/[^\s<]+/g,
      (u) => `<a href="${u}" target="_blank" rel="noopener noreferrer nofollow">${u}</a>`,
    )
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

export function htmlToText(html: string): string {
  return sanitizeHtml(html.replace(/<(br|\/p|\/div|\/li|\/tr|\/h\d)[^<>]*>/gi, '\n'), {
    allowedTags: [],
    allowedAttributes: {},
  })
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
