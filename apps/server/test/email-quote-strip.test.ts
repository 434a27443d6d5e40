import { describe, expect, it } from 'vitest';
import { stripQuotedHtml, stripQuotedText } from '../src/channels/email/quote-strip.ts';

const text = (...lines: string[]) => lines.join('\n');

describe('plain-text quote and signature stripping', () => {
  it('cuts at the "-- " signature separator', () => {
    const r = stripQuotedText(text('Please send a new size.', '', '-- ', 'Sam Shopper', 'Berlin'));
    expect(r).toEqual({ body: 'Please send a new size.', stripped: true });
  });

  it('keeps a line of dashes that is not the separator', () => {
    const r = stripQuotedText(text('Sizes:', '-- M', '-- L', 'Thanks'));
    expect(r.body).toBe(text('Sizes:', '-- M', '-- L', 'Thanks'));
    expect(r.stripped).toBe(false);
  });

  it.each([
    'Sent from my iPhone',
    'Sent from my iPad',
    'Sent from my Samsung Galaxy smartphone.',
    'Get Outlook for iOS',
    'Von meinem iPhone gesendet',
  ])('cuts the mobile signature "%s"', (sig) => {
    const r = stripQuotedText(text('Yes, the blue one please.', '', sig));
    expect(r).toEqual({ body: 'Yes, the blue one please.', stripped: true });
  });

  it('cuts ">" quoted text together with its attribution line', () => {
    const r = stripQuotedText(
      text(
        'Thanks, that worked.',
        '',
        'On Mon, 2 Dec 2024 at 10:15, Shop Support <support@shop.test> wrote:',
        '> Please try clearing the cache.',
        '>',
        '> Best, the team',
      ),
    );
    expect(r).toEqual({ body: 'Thanks, that worked.', stripped: true });
  });

  it('cuts an attribution line that the client wrapped over two lines', () => {
    const r = stripQuotedText(
      text(
        'Great, thanks!',
        '',
        'On Mon, 2 Dec 2024 at 10:15, Shop Support <support@',
        'shop.test> wrote:',
        '> Your parcel left today.',
      ),
    );
    expect(r).toEqual({ body: 'Great, thanks!', stripped: true });
  });

  it('keeps answers written between quoted lines (inline replies)', () => {
    const r = stripQuotedText(text('> Which size do you need?', 'M please.', '> And which colour?', 'Blue.'));
    expect(r.body).toContain('M please.');
    expect(r.body).toContain('Blue.');
  });

  it('cuts an Outlook "From: … Sent: …" header block', () => {
    const r = stripQuotedText(
      text(
        'The invoice is attached.',
        '',
        'From: Shop Support <support@shop.test>',
        'Sent: Monday, December 2, 2024 10:15 AM',
        'To: Sam <sam@customer.test>',
        'Subject: RE: Invoice',
        '',
        'Could you send the invoice?',
      ),
    );
    expect(r).toEqual({ body: 'The invoice is attached.', stripped: true });
  });

  it('keeps something visible when the whole message is a quote', () => {
    const all = text(
      'On Mon, 2 Dec 2024 at 10:15, Shop <support@shop.test> wrote:',
      '> Your parcel left today.',
    );
    const r = stripQuotedText(all);
    expect(r.body).toContain('Your parcel left today.');
    expect(r.stripped).toBe(false);
    const onlyQuotes = stripQuotedText(text('> a quoted line', '> another'));
    expect(onlyQuotes.body).toContain('a quoted line');
  });

  it('keeps something visible when the message is only a signature', () => {
    const r = stripQuotedText(text('-- ', 'Sam Shopper'));
    expect(r.body).toContain('Sam Shopper');
  });
});

describe('HTML quote stripping', () => {
  it('cuts the Gmail quote container with its attribution', () => {
    const html =
      '<div dir="ltr">Thanks, received!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Dec 2, 2024 at 10:15 AM Shop &lt;support@shop.test&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex">Your parcel left today.</blockquote></div>';
    const r = stripQuotedHtml(html);
    expect(r.stripped).toBe(true);
    expect(r.html).toContain('Thanks, received!');
    expect(r.html).not.toContain('parcel left');
    expect(r.html).not.toContain('wrote:');
  });

  it('cuts the Outlook divRplyFwdMsg block and the line above it', () => {
    const html =
      '<div>The invoice is attached.</div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Shop Support &lt;support@shop.test&gt;<br><b>Sent:</b> Monday, December 2, 2024 10:15 AM<br><b>To:</b> Sam<br><b>Subject:</b> Invoice</font></div><div>Could you send the invoice?</div>';
    const r = stripQuotedHtml(html);
    expect(r.stripped).toBe(true);
    expect(r.html).toContain('The invoice is attached.');
    expect(r.html).not.toContain('Could you send the invoice?');
    expect(r.html).not.toContain('<hr');
  });

  it('cuts a desktop Outlook "From: … Sent: …" block (border-top container)', () => {
    const html =
      '<div class="WordSection1"><p class="MsoNormal">Here it is.</p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Shop Support &lt;support@shop.test&gt;<br><b>Sent:</b> Monday, December 2, 2024 10:15<br><b>To:</b> Sam<br><b>Subject:</b> Invoice</p></div></div><p class="MsoNormal">Could you send the invoice?</p></div>';
    const r = stripQuotedHtml(html);
    expect(r.stripped).toBe(true);
    expect(r.html).toContain('Here it is.');
    expect(r.html).not.toContain('Could you send the invoice?');
    expect(r.html).not.toContain('Sent:');
  });

  it('cuts a plain "From: … Sent: …" header paragraph without a container', () => {
    const html =
      '<p>Here it is.</p><p><b>From:</b> Shop Support &lt;support@shop.test&gt;<br><b>Sent:</b> Monday, December 2, 2024 10:15<br><b>To:</b> Sam<br><b>Subject:</b> Invoice</p><p>Could you send the invoice?</p>';
    const r = stripQuotedHtml(html);
    expect(r.stripped).toBe(true);
    expect(r.html).toContain('Here it is.');
    expect(r.html).not.toContain('Could you send the invoice?');
  });

  it('cuts a cite blockquote (Apple Mail, Thunderbird)', () => {
    const html =
      '<div>Yes please.</div><div><br><blockquote type="cite"><div>Shall we send a replacement?</div></blockquote></div>';
    const r = stripQuotedHtml(html);
    expect(r.stripped).toBe(true);
    expect(r.html).toContain('Yes please.');
    expect(r.html).not.toContain('replacement');
  });

  it('keeps the whole message when it is all quote', () => {
    const html =
      '<div class="gmail_quote"><div class="gmail_attr">On Mon Shop wrote:</div><blockquote class="gmail_quote">Your parcel left today.</blockquote></div>';
    const r = stripQuotedHtml(html);
    expect(r).toEqual({ html, stripped: false });
  });
});

/**
 * Crafted mail must not hold the event loop: each of these took 3 s to over a minute with the old
 * stripping (a per-line scan of the rest of the message, an end-anchored regex over trailing <br>s).
 * The bound is generous (the linear code needs tens of milliseconds); it only catches quadratic time.
 */
describe('quote stripping of crafted mail finishes fast', () => {
  const KB80 = 80 * 1024;
  const MB4 = 4 * 1024 * 1024;
  const timed = <T>(f: () => T): { result: T; ms: number } => {
    const start = performance.now();
    const result = f();
    return { result, ms: performance.now() - start };
  };

  it('~80 KB of ">" lines followed by words (every line re-scanned the rest)', () => {
    const { result, ms } = timed(() => stripQuotedText(`Hello\n${'>\n'.repeat(KB80 / 2)}but this is mine`));
    expect(ms).toBeLessThan(2000);
    expect(result.body).toContain('but this is mine');
  });

  it('~80 KB of <br> and &nbsp; before a quote (the trailing-blank regex)', () => {
    const br = timed(() => stripQuotedHtml(`a${'<br>'.repeat(KB80 / 4)}x<div class="gmail_quote">old</div>`));
    const nbsp = timed(() =>
      stripQuotedHtml(`a${'&nbsp; '.repeat(KB80 / 7)}x<div class="gmail_quote">old</div>`),
    );
    expect(br.ms).toBeLessThan(2000);
    expect(nbsp.ms).toBeLessThan(2000);
    expect(br.result).toMatchObject({ stripped: true });
    expect(br.result.html).not.toContain('old');
  });

  it('multi-MB text and HTML of the same shapes', () => {
    const text = timed(() => stripQuotedText(`Hello\n${'> a\n\n'.repeat(MB4 / 5)}mine`));
    const html = timed(() =>
      stripQuotedHtml(`a${'<br>'.repeat(MB4 / 4)}x<blockquote type="cite">old</blockquote>`),
    );
    const tags = timed(() => stripQuotedHtml(`<div ${'class="class="'.repeat(MB4 / 14)}`));
    const lines = timed(() => stripQuotedText(`On ${' '.repeat(MB4)}x\n${'On wrote:\n'.repeat(MB4 / 10)}`));
    for (const t of [text, html, tags, lines]) expect(t.ms).toBeLessThan(5000);
    expect(text.result.body).toContain('mine');
  });

  it('still cuts a quote that starts near the top of a huge message', () => {
    const r = stripQuotedText(
      `Thanks!\n\nOn Mon, 2 Dec 2024, Shop <s@shop.test> wrote:\n${'> old\n'.repeat(MB4 / 6)}`,
    );
    expect(r).toEqual({ body: 'Thanks!', stripped: true });
  });
});
