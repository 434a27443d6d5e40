import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

describe('help-center Markdown (markdown-it)', () => {
  it('renders a heading followed by thousands of spaces and a zero-width space at once (was cubic: 4,000 spaces took 18 s)', () => {
    // A ReDoS regression test: the old heading regex backtracked cubically on this input.
    const started = performance.now();
    const r = renderMarkdown(`# Returns${' '.repeat(5_000)}\u200b\n\n## Next${'\t '.repeat(20_000)}x`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(r.headings.map((h) => h.id)).toEqual(['returns', 'next-x']);
  });

  it('keeps the article features: unique heading ids, wrapped tables with alignment, video embeds', () => {
    const r = renderMarkdown(
      '## Sizes\n\n## Sizes\n\n| Size | Chest |\n| --- | ---: |\n| M | 96 cm |\n\n@[video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n\nhttps://vimeo.com/123456\n\nSee https://example.com/a, *soft*\nline',
    );
    expect(r.headings).toEqual([
      { level: 2, text: 'Sizes', id: 'sizes' },
      { level: 2, text: 'Sizes', id: 'sizes-2' },
    ]);
    expect(r.html).toMatch(/<div class="table"><table>[\s\S]*<td style="text-align:right">96 cm<\/td>/);
    expect(r.html).toContain('src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"');
    expect(r.html).toContain('src="https://player.vimeo.com/video/123456"');
    expect(r.html).toContain('<a href="https://example.com/a">https://example.com/a</a>, <em>soft</em> line');
    expect(r.text).toContain('Size Chest');
  });

  it('shows raw HTML and unsafe links or images as text', () => {
    const r = renderMarkdown(
      '<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) [y](//evil.example) ![p](http://plain.example/a.png)\n\n@[video](https://evil.example/embed)',
    );
    expect(r.html).not.toMatch(/<img|<iframe|href="javascript|href="\/\/evil/);
    expect(r.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
