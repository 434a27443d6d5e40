import DOMPurify from 'dompurify';
import { useEffect, useMemo, useRef, useState } from 'react';

/**
 * Email HTML is hostile by default. Three layers: DOMPurify strips scripts, handlers and javascript: URLs;
 * the result renders in an iframe sandboxed WITHOUT allow-scripts (so even a sanitizer miss cannot run);
 * and a CSP inside the frame blocks remote loads until the agent allows images (tracking pixels).
 * Quoted history (blockquote, Gmail/Outlook quote blocks) is folded behind a <details>.
 */
export function sanitizeEmailHtml(html: string, allowRemote: boolean) {
  const clean = DOMPurify.sanitize(html, {
    FORBID_TAGS: ['form', 'input', 'button', 'textarea', 'select', 'base', 'meta', 'link'],
    FORBID_ATTR: ['srcset'],
    ALLOW_DATA_ATTR: false,
  });
  // Post-process the already sanitised markup as an inert document (DOMParser never runs scripts).
  const doc = new DOMParser().parseFromString(`<body>${clean}</body>`, 'text/html');
  let remote = 0;
  for (const a of doc.querySelectorAll('a[href]')) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer nofollow');
  }
  for (const el of doc.body.querySelectorAll('[src], [background], [poster], [style]')) {
    for (const attr of ['src', 'background', 'poster']) {
      const v = el.getAttribute(attr);
      if (v && /^(https?:)?\/\//i.test(v.trim())) {
        remote++;
        if (!allowRemote) {
          el.setAttribute(`data-blocked-${attr}`, v);
          el.removeAttribute(attr);
        }
      }
    }
    const style = el.getAttribute('style');
    if (style && /url\s*\(/i.test(style)) {
      remote++;
      if (!allowRemote) el.setAttribute('style', style.replace(/url\s*\([^)]*\)/gi, 'none'));
    }
  }
  foldQuotes(doc);
  return { html: doc.body.innerHTML, remote };
}

function foldQuotes(doc: Document) {
  const quotes = doc.body.querySelectorAll(
    'blockquote[type="cite"], .gmail_quote, #appendonsend, #divRplyFwdMsg, .yahoo_quoted, body > blockquote',
  );
  for (const q of quotes) {
    if (q.closest('details')) continue;
    const d = doc.createElement('details');
    d.className = 'quoted';
    const s = doc.createElement('summary');
    s.textContent = 'Show quoted history';
    q.replaceWith(d);
    d.append(s, q);
  }
}

const frameCss = `body{font:14px/1.5 system-ui,sans-serif;color:#1b2330;margin:0;overflow-wrap:anywhere}
img{max-width:100%;height:auto}table{max-width:100%}
details.quoted>summary{color:#55606e;cursor:pointer;font-size:12px;margin:6px 0}
[data-blocked-src]{display:inline-block;min-width:16px;min-height:16px;background:#eef0f3}`;

export function SafeHtml({ html, title }: { html: string; title: string }) {
  const [allow, setAllow] = useState(false);
  const { html: clean, remote } = useMemo(() => sanitizeEmailHtml(html, allow), [html, allow]);
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(80);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data: ${allow ? 'https: http:' : ''}; font-src data:`;
  const doc = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><style>${frameCss}</style></head><body>${clean}</body></html>`;

  useEffect(() => {
    const f = ref.current;
    if (!f) return;
    // Same-origin (but script-less) frame: the parent measures its height and follows <details> toggles.
    const fitHeight = () => {
      const b = f.contentDocument?.documentElement;
      if (b) setHeight(Math.min(4000, b.scrollHeight + 4));
    };
    const onLoad = () => {
      fitHeight();
      f.contentDocument?.addEventListener('toggle', fitHeight, true);
    };
    f.addEventListener('load', onLoad);
    return () => f.removeEventListener('load', onLoad);
  }, []);

  return (
    <div className="safe-html">
      {remote > 0 && !allow && (
        <p className="notice small">
          Remote images are blocked to protect your privacy.{' '}
          <button type="button" className="link" onClick={() => setAllow(true)}>
            Show images
          </button>
        </p>
      )}
      <iframe
        ref={ref}
        title={title}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        srcDoc={doc}
        style={{ height }}
        referrerPolicy="no-referrer"
      />
    </div>
  );
}

/** Plain-text bodies: fold the trailing quoted part ("On … wrote:" and ">" lines). */
export function PlainBody({ text }: { text: string }) {
  const lines = text.split('\n');
  // Where the trailing run of ">" lines begins: one backwards pass (a per-line scan of the rest froze
  // the tab on a crafted message of many quoted lines).
  let lastUnquoted = lines.length - 1;
  while (lastUnquoted >= 0 && (lines[lastUnquoted]!.startsWith('>') || !lines[lastUnquoted]!.trim()))
    lastUnquoted--;
  let cut = lines.findIndex(
    (l, i) => (l.length < 1000 && /^On .+wrote:\s*$/.test(l)) || (l.startsWith('>') && i > lastUnquoted),
  );
  if (cut <= 0) cut = -1;
  const main = cut < 0 ? text : lines.slice(0, cut).join('\n');
  const quoted = cut < 0 ? '' : lines.slice(cut).join('\n');
  return (
    <div className="plain-body">
      <p>{main}</p>
      {quoted && (
        <details className="quoted">
          <summary>Show quoted history</summary>
          <p>{quoted}</p>
        </details>
      )}
    </div>
  );
}
