const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A pretend shop with the widget installed, for trying the chat from two windows. Its stylesheet is
 * deliberately hostile (global selectors, !important everywhere) to prove the widget is isolated;
 * `?plain=1` serves the same page without it, which the screenshot test compares against.
 */
export function demoShopPage(slug: string, opts: { plain?: boolean } = {}) {
  const products = [
    ['Trail Runner 2', '€89.00'],
    ['Merino Crew Socks', '€14.00'],
    ['Packable Rain Shell', '€129.00'],
    ['Canvas Weekender', '€74.00'],
  ];
  const hostile = `
    * { font-family: "Comic Sans MS", "Courier New", monospace !important; color: #c00000 !important;
        letter-spacing: 3px !important; box-sizing: content-box !important; line-height: 2.5 !important; }
    html, body { font-size: 21px; text-transform: uppercase; background: #fffbe0; }
    div, span, button, input, textarea, iframe, section, aside, p, a, img, svg, form, label, ul, li, h1, h2, h3 {
      border: 3px dashed hotpink !important; padding: 10px !important; margin: 6px !important;
      border-radius: 0 !important; background-color: #ffff66 !important; }
    button, input, textarea { transform: rotate(2deg) !important; font-size: 26px !important; width: 300px !important; }
    svg { width: 80px !important; height: 80px !important; fill: lime !important; }
    body > * { z-index: 1 !important; opacity: 0.97 !important; }
    [style] { filter: hue-rotate(90deg) !important; }
  `;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Outfitters — shop</title>
<style>
  body { margin: 0; font-family: Georgia, serif; }
  header { padding: 16px 24px; border-bottom: 1px solid #ddd; display: flex; justify-content: space-between; }
  main { padding: 24px; display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 16px; }
  .product { border: 1px solid #eee; padding: 16px; }
  ${opts.plain ? '' : hostile}
</style>
</head>
<body>
<header>
  <strong>Demo Outfitters</strong>
  <nav><a href="/">Agent dashboard</a> · <a href="/demo/shop${opts.plain ? '' : '?plain=1'}">${opts.plain ? 'hostile CSS' : 'plain CSS'}</a></nav>
</header>
<p style="padding: 0 24px">This demo shop has the Shopdesk chat widget installed. Open the chat (bottom right), then answer
from the <a href="/">dashboard</a> in a second window.${opts.plain ? '' : ' Its stylesheet is deliberately hostile; the widget must not notice.'}</p>
<main>
${products.map(([name, price]) => `  <div class="product"><h3>${esc(name!)}</h3><p>${esc(price!)}</p><button type="button">Add to cart</button></div>`).join('\n')}
</main>
<script src="/widget.js" data-workspace="${esc(slug)}" async></script>
</body>
</html>`;
}
