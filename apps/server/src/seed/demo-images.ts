import type { FastifyInstance } from 'fastify';
import { products } from './demo-content.ts';

/**
 * The demo's product pictures, drawn here as small SVGs and served by this server: the demo works offline
 * and the dashboard makes no requests to a photo site (and there is no third-party artwork to license).
 */
export const demoProductImagePath = (n: number) => `/demo/images/product-${n}.svg`;

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One picture per catalogue entry: a tinted tile with a simple outdoor motif and the product's initials. */
export function demoProductSvg(n: number): string | null {
  const p = products[n - 1];
  if (!p) return null;
  const hue = (n * 47) % 360;
  const initials = p.name
    .split(/\s+/)
    .filter((w) => /^[A-Z]/.test(w))
    .slice(0, 2)
    .map((w) => w[0])
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 160 160" role="img" aria-label="${esc(p.name)}">
<rect width="160" height="160" rx="16" fill="hsl(${hue} 45% 88%)"/>
<path d="M0 118 L46 66 L72 94 L104 52 L160 118 V160 H0Z" fill="hsl(${hue} 35% 62%)"/>
<path d="M104 52 L118 70 L108 68 L98 76 L92 67Z" fill="#fff" opacity=".85"/>
<circle cx="128" cy="34" r="12" fill="hsl(${(hue + 40) % 360} 80% 70%)"/>
<text x="80" y="146" text-anchor="middle" font-family="system-ui, sans-serif" font-size="26" font-weight="700" fill="hsl(${hue} 40% 25%)">${esc(initials)}</text>
</svg>`;
}

export function registerDemoImages(app: FastifyInstance) {
  app.get<{ Params: { file: string } }>('/demo/images/:file', async (req, reply) => {
    const n = /^product-(\d{1,3})\.svg$/.exec(req.params.file)?.[1];
    const svg = n ? demoProductSvg(Number(n)) : null;
    if (!svg) return reply.code(404).send({ error: { code: 'not_found', message: 'No such demo image' } });
    return reply
      .type('image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(svg);
  });
}
