import { escapeHtml } from '../../platform/html/sanitize.ts';
import type { ShopperPage } from '../helpcenter/index.ts';
import type { NoticesService } from './notices.service.ts';

const TEXT = {
  en: {
    title: 'Your messages',
    intro: 'Choose which messages we send you. Replies to your own questions always reach you.',
    save: 'Save',
    saved: 'Saved. Thank you.',
    none: 'Send me none of these',
  },
  de: {
    title: 'Ihre Nachrichten',
    intro: 'Wählen Sie, welche Nachrichten wir Ihnen senden. Antworten auf Ihre Fragen erhalten Sie immer.',
    save: 'Speichern',
    saved: 'Gespeichert. Danke.',
    none: 'Keine dieser Nachrichten senden',
  },
} as const;

/**
 * The notice-options page (`/l/<token>`, purpose `notice-options`, subject the contact): the customer
 * ticks the kinds of notices they want; unticked kinds are opted out.
 */
export function noticeOptionsPage(svc: NoticesService): ShopperPage {
  return {
    purpose: 'notice-options',
    async render(i) {
      const t = TEXT[i.locale.split('-')[0] as keyof typeof TEXT] ?? TEXT.en;
      const { workspaceId } = i.claims;
      const contactId = i.claims.subject.id;
      if (i.claims.subject.type !== 'contact') return { status: 404, title: t.title, html: '' };
      const kinds = svc.kinds().filter((k) => k.optOut !== false);
      let saved = false;
      if (i.method === 'POST') {
        const out = i.fields.none
          ? ['*']
          : kinds.filter((k) => i.fields[`k_${k.kind}`] !== 'on').map((k) => k.kind);
        await svc.setOptOuts(workspaceId, contactId, out);
        saved = true;
      }
      const { optedOut } = await svc.preferences(workspaceId, contactId);
      const all = optedOut.includes('*');
      const rows = kinds
        .map((k) => {
          const on = !all && !optedOut.includes(k.kind);
          return `<p><label><input type="checkbox" name="k_${escapeHtml(k.kind)}"${on ? ' checked' : ''}> ${escapeHtml(k.description)}</label></p>`;
        })
        .join('');
      return {
        title: t.title,
        html: `<h1>${escapeHtml(t.title)}</h1>${saved ? `<p role="status" class="notice-saved">${escapeHtml(t.saved)}</p>` : ''}<p>${escapeHtml(t.intro)}</p><form method="post" action="${escapeHtml(i.path)}">${rows}<p><label><input type="checkbox" name="none"${all ? ' checked' : ''}> ${escapeHtml(t.none)}</label></p><p><button type="submit">${escapeHtml(t.save)}</button></p></form>`,
      };
    },
  };
}
