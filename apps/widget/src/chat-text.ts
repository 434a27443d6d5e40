import { fill, type Strings } from './strings.ts';
import { h, type WidgetMessage } from './types.ts';

/* Small helpers of the conversation UI: message bubbles, client ids, the expected wait, JSON posts. */

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Text with URLs made into links; everything stays text nodes, so HTML in a message is shown, not run. */
export function linkify(text: string): Node[] {
  const out: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    if (m.index! > last) out.push(document.createTextNode(text.slice(last, m.index)));
    out.push(h('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer nofollow' }, m[0]));
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

export const newClientId = () => {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
};

export function formatWait(t: Strings, s: number) {
  if (s < 90) return t.minute;
  if (s < 3600) return fill(t.minutes, Math.round(s / 60));
  const hrs = Math.round(s / 3600);
  return hrs === 1 ? t.hour : fill(t.hours, hrs);
}

/** One message as a bubble: its text (links made clickable) and its attachments. */
export function bubble(
  base: string,
  m: { from: string; text: string; attachments?: WidgetMessage['attachments'] },
  cls: string,
) {
  const el = h('p', { class: `sd-msg ${m.from} ${cls}`.trim() }, ...linkify(m.text));
  for (const a of m.attachments ?? []) {
    const url = `${base}${a.url}`;
    el.append(
      a.contentType.startsWith('image/')
        ? h('a', { href: url, target: '_blank', rel: 'noopener' }, h('img', { src: url, alt: a.filename }))
        : h('a', { href: url, target: '_blank', rel: 'noopener' }, `📄 ${a.filename}`),
    );
  }
  return el;
}

/** POSTs JSON to the widget API; a refusal throws the server's message with its status and body. */
export async function postJson<T>(api: string, path: string, payload: unknown): Promise<T> {
  const r = await fetch(`${api}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const json = (await r.json().catch(() => ({}))) as { error?: { message: string } };
  if (!r.ok)
    throw Object.assign(new Error(json.error?.message ?? `HTTP ${r.status}`), {
      status: r.status,
      body: json,
    });
  return json as T;
}

/** A file's content as base64, for the upload payload. */
export const base64Of = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',')[1] ?? '');
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
