import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { hcApi } from './helpcenter-api.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The article as shoppers will see it. The server renders the Markdown with the portal's own renderer and
 * sanitiser, so the preview cannot drift from the help center. The HTML is shown in a sandboxed frame
 * without scripts (allow-same-origin only lets us size the frame to its content).
 */
export function ArticlePreview({
  title,
  bodyMd,
  label = 'Preview',
}: {
  title: string;
  bodyMd: string;
  label?: string;
}) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      hcApi
        .preview(bodyMd)
        .then((r) => {
          if (live) {
            setHtml(r.html);
            setError(null);
          }
        })
        .catch((e) => live && setError(e instanceof ApiError ? e.message : 'Preview failed'));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [bodyMd]);
  const doc = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; frame-src https://www.youtube-nocookie.com https://player.vimeo.com"><style>
body{font:15px/1.55 system-ui,sans-serif;color:#1b1f24;margin:12px 16px}h1{font-size:1.6em;margin:.2em 0 .6em}
img{max-width:100%}table{border-collapse:collapse}th,td{border:1px solid #ccd;padding:4px 8px}
blockquote{border-left:3px solid #ccd;margin-left:0;padding-left:12px;color:#555}pre{background:#f4f5f7;padding:8px;overflow:auto}
.video iframe{width:100%;aspect-ratio:16/9;border:0}</style></head><body><h1>${esc(title)}</h1>${html ?? ''}</body></html>`;
  const fit = () => {
    const d = frame.current?.contentDocument;
    if (d?.body && frame.current)
      frame.current.style.height = `${Math.max(160, d.documentElement.scrollHeight + 4)}px`;
  };
  return (
    <div className="hc-preview">
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      <iframe ref={frame} title={label} sandbox="allow-same-origin" srcDoc={doc} onLoad={fit} />
    </div>
  );
}
