import type { Contact } from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import type { Auth, Router } from '../../platform/http/router.ts';
import type { ContactsService } from '../contacts/index.ts';
import type { ShopperLinks } from '../helpcenter/index.ts';
import type { IntakeService } from '../intake/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { noticeReleaseJob } from './notices.jobs.ts';
import { registerNoticeRoutes } from './notices.routes.ts';
import { createNoticesService, type NoticesService } from './notices.service.ts';
import { noticeOptionsPage } from './options-page.ts';

export { createDirectMail, type DirectMail, type DirectMessage } from './direct-mail.ts';
export { renderNotice, templateVariables } from './notice-template.ts';
export {
  AUTOMATIC_VARIABLES,
  type NoticeChannel,
  type NoticeKind,
  type NoticeOutcome,
  type NoticeRequest,
  type NoticeStatus,
  type NoticesService,
} from './notices.service.ts';

/**
 * Customer notices from the composition root (docs/shared-services.md): the service other modules send
 * through, its settings API, the release job for quiet hours and the shopper's options page.
 */
export function installNotices(o: {
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  contacts: Pick<ContactsService, 'get'>;
  shopperLinks: ShopperLinks;
  shopName: (workspaceId: number) => Promise<string>;
  intake: Pick<IntakeService, 'consent'>;
}): NoticesService {
  const svc = createNoticesService(o.deps, {
    tickets: o.tickets,
    contact: async (workspaceId, id): Promise<Contact | null> =>
      o.contacts.get({ workspaceId } as Auth, id).catch(() => null),
    shopperLinks: o.shopperLinks,
    shopName: o.shopName,
    consent: async (w, channel, address) => {
      const state = (await o.intake.consent(w, channel, address))?.state;
      return state === 'opted-in' || state === 'opted-out' ? state : null;
    },
  });
  svc.registerKind({
    kind: 'ticket.update',
    description: 'Updates about your requests',
    variables: ['update.text'],
    templates: {
      en: {
        subject: 'An update on your request',
        body: 'Hi {{customer.first_name | there}},\n\n{{update.text}}\n\n{{shop.name}}',
      },
      de: {
        subject: 'Neuigkeiten zu Ihrer Anfrage',
        body: 'Hallo {{customer.first_name | zusammen}},\n\n{{update.text}}\n\n{{shop.name}}',
      },
    },
  });
  registerNoticeRoutes(o.router, svc);
  o.deps.jobs.register(noticeReleaseJob(svc));
  o.shopperLinks.registerPage(noticeOptionsPage(svc));
  return svc;
}
