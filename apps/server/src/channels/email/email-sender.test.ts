import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { composeEmail, serialiseMime } from './email-sender.ts';

const cases: { name: string; mail: ConstructorParameters<typeof MailComposer>[0] }[] = [
  {
    name: 'plain ASCII acknowledgement',
    mail: {
      from: { name: 'Demo Outfitters', address: 'support@shop.example' },
      to: ['ann@example.com'],
      subject: 'We got your message [#42]',
      text: 'Hi Ann,\n\nthanks for writing. We aim to reply within 4 hours.\n',
      html: '<p>Hi Ann,</p><p>thanks for writing.</p>',
    },
  },
  {
    name: 'non-ASCII names, subject and bodies, long lines',
    mail: {
      from: { name: 'Büro Müller & Söhne', address: 'hilfe@laden.example' },
      replyTo: 'hilfe+t.1.2@laden.example',
      to: ['"Zoë Ågren" <zoe@example.se>'],
      cc: ['"Jan van Dijk" <jan@example.nl>'],
      subject: `Ihre Bestellung #1042 — Rückerstattung ${'sehr lang '.repeat(20)}`,
      text: `Grüße 👋 ${'x'.repeat(300)}\nZweite Zeile mit = Zeichen und Tabs\t\t\n`,
      html: `<p>Grüße 👋</p><p>${'y'.repeat(500)}</p>`,
      messageId: '<shopdesk.1.abc@laden.example>',
      inReplyTo: '<orig@example.se>',
      references: ['<a@x>', '<b@y>'],
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Shopdesk-Ticket': '7' },
    },
  },
  {
    name: 'text only, Cyrillic',
    mail: { from: 'a@b.example', to: ['c@d.example'], subject: 'Привет', text: 'Здравствуйте!\n'.repeat(50) },
  },
];

describe('serialiseMime', () => {
  for (const c of cases)
    it(`writes the same bytes as nodemailer's stream build: ${c.name}`, async () => {
      const root = new MailComposer({ ...c.mail, date: new Date('2026-12-04T10:00:00Z') }).compile();
      const fast = serialiseMime(root);
      expect(fast).not.toBeNull();
      const slow = (await root.build()).toString('latin1');
      expect(fast).toBe(slow);
    });

  it('leaves raw UTF-8 addresses (SMTPUTF8) to the stream build', async () => {
    const root = new MailComposer({
      from: 'a@b.example',
      to: ['ĳ@example.nl'],
      subject: 'x',
      text: 'y',
    }).compile();
    expect(serialiseMime(root)).toBeNull();
    const raw = await composeEmail({
      from: { name: null, address: 'a@b.example' },
      to: ['ĳ@example.nl'],
      subject: 'x',
      text: 'y',
      messageId: '<m2@b.example>',
    });
    expect(raw.toString('utf8')).toContain('To: ĳ@example.nl');
  });

  it('leaves messages with attachments to the stream build, which still works', async () => {
    const raw = await composeEmail({
      from: { name: 'Shop', address: 'support@shop.example' },
      to: ['ann@example.com'],
      subject: 'Your label',
      text: 'Attached.',
      messageId: '<m1@shop.example>',
      attachments: [
        { filename: 'label.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') },
      ],
    });
    const s = raw.toString('latin1');
    expect(s).toContain('Content-Type: application/pdf; name=label.pdf');
    expect(s).toContain(Buffer.from('%PDF-1.4').toString('base64'));
  });
});
