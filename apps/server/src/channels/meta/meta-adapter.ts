import {
  MetaPageSettings,
  MetaSecrets,
  TemplateReply,
  WhatsAppSettings,
  type WhatsAppTemplate,
} from '@shopdesk/contracts';
import { safeEqual } from '../../platform/security/crypto.ts';
import {
  type ChannelAdapter,
  type DeliveryResult,
  type OutboundMessage,
  PermanentDeliveryError,
  type ReplyContext,
  type ReplyRule,
} from '../channel-adapter.ts';
import {
  type ChannelAccount,
  type InboundChannel,
  WebhookRejected,
  type WebhookRequest,
} from '../inbound.ts';
import { type GraphApi, GraphApiError } from './graph-api.ts';
import { OUR_METADATA_PREFIX, type PageChannel, pageProviderId, parsePage, readPage } from './page-read.ts';
import { validMetaSignature } from './signature.ts';
import { templatePayload, templateProblem, templateView } from './templates.ts';
import { parseWhatsApp, readWhatsApp, whatsAppProviderId } from './whatsapp-read.ts';

/** What the adapters need from the server (wired in app.ts). */
export interface MetaPorts {
  /** The decrypted account a reply goes out through (the one the customer wrote to, else the first). */
  accountFor(workspaceId: number, channel: string, accountId: number | null): Promise<ChannelAccount | null>;
  api: GraphApi;
  maxMediaBytes: number;
}

const HOUR = 3_600_000;
const LABEL = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram' } as const;
const MAX_TEXT = { whatsapp: 4096, messenger: 2000, instagram: 1000 } as const;

/** Meta's GET subscription check: echo hub.challenge when hub.verify_token is the account's. */
function handshake(_kind: string, q: URLSearchParams, account: ChannelAccount): string {
  const challenge = q.get('hub.challenge');
  if (q.get('hub.mode') !== 'subscribe' || !challenge || challenge.length > 200)
    throw new WebhookRejected(400, 'Expected hub.mode=subscribe with a hub.challenge');
  const token = q.get('hub.verify_token') ?? '';
  if (!account.secrets.verifyToken || !safeEqual(token, account.secrets.verifyToken))
    throw new WebhookRejected(403, 'hub.verify_token is not the verify token set on this account');
  return challenge;
}

/** X-Hub-Signature-256 over the raw bytes with the app secret, before anything is parsed or stored. */
function checkSignature(req: WebhookRequest, account: ChannelAccount) {
  if (req.kind !== 'webhook') throw new WebhookRejected(404, `No ${req.kind} webhook here`);
  const h = req.headers['x-hub-signature-256'];
  const header = Array.isArray(h) ? h[0] : h;
  if (!header) throw new WebhookRejected(401, 'X-Hub-Signature-256 is missing');
  if (!validMetaSignature(account.secrets.appSecret ?? '', header, req.body))
    throw new WebhookRejected(401, 'X-Hub-Signature-256 does not match the body (check the app secret)');
}

const lastAccountId = (meta: Record<string, unknown> | null | undefined) => Number(meta?.accountId) || null;
const fmt = (d: Date) => `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
const credsOf = (a: ChannelAccount<{ graphVersion: string }>) => ({
  workspaceId: a.workspaceId,
  accessToken: a.secrets.accessToken!,
  version: a.settings.graphVersion,
});
const permanentOr = (err: unknown) =>
  err instanceof GraphApiError && !err.retryable ? new PermanentDeliveryError(err.message) : err;

/** WhatsApp (Cloud API), Messenger and Instagram DMs: one account (number, Page, IG account) per inbox. */
export function createMetaChannels(ports: MetaPorts): ChannelAdapter[] {
  // --- WhatsApp -----------------------------------------------------------------------------------
  type WaAccount = ChannelAccount<WhatsAppSettings>;
  const waInbound: InboundChannel<WhatsAppSettings> = {
    hooks: ['webhook'],
    settings: WhatsAppSettings,
    secrets: MetaSecrets,
    addressOf: (s) => s.displayPhoneNumber || s.phoneNumberId,
    handshake: (k, q, a) => handshake(k, q, a as ChannelAccount),
    verify(req, account) {
      checkSignature(req, account as ChannelAccount);
      return ((id) => (id ? { providerId: id } : null))(
        whatsAppProviderId(req.body, parseWhatsApp(req.body).values),
      );
    },
    read: (d, account) => readWhatsApp(d.body, d.receivedAt, account, ports.api, ports.maxMediaBytes),
  };

  const waRule = (ctx: ReplyContext): ReplyRule => {
    const closesAt = ctx.lastInboundAt ? new Date(ctx.lastInboundAt.getTime() + 24 * HOUR) : null;
    const open = !!closesAt && closesAt > ctx.now;
    return {
      freeText: open,
      closesAt: open ? closesAt : null,
      templates: true,
      rule: open
        ? `WhatsApp's 24-hour customer service window: free text until ${fmt(closesAt!)}, then only approved templates`
        : ctx.lastInboundAt
          ? `More than 24 hours since the customer last wrote (${fmt(ctx.lastInboundAt)}): WhatsApp only allows an approved template until they write again`
          : 'The customer has not written on WhatsApp: only an approved template can start the conversation',
    };
  };

  async function waAccount(workspaceId: number, meta: Record<string, unknown> | null | undefined) {
    const a = (await ports.accountFor(workspaceId, 'whatsapp', lastAccountId(meta))) as WaAccount | null;
    if (!a) throw new PermanentDeliveryError('No WhatsApp number is connected (Settings → WhatsApp)');
    return a;
  }
  async function templatesOf(a: WaAccount): Promise<WhatsAppTemplate[]> {
    return (await ports.api.listTemplates(credsOf(a), a.settings.businessAccountId)).map(templateView);
  }

  const whatsapp: ChannelAdapter = {
    channel: 'whatsapp',
    capabilities: {
      messagingWindowHours: 24,
      // Inbound pictures, voice notes and documents land as attachments; sending files is not built.
      media: false,
      deliveryReceipts: true,
      templates: true,
      maxLength: MAX_TEXT.whatsapp,
    },
    inbound: waInbound as unknown as InboundChannel,
    replyRule: waRule,
    async templates(ctx) {
      return templatesOf(await waAccount(ctx.workspaceId, ctx.lastInboundMeta));
    },
    async checkReply(ctx, reply) {
      if (!reply.template) {
        const r = waRule(ctx);
        return r.freeText
          ? reply.body.length > MAX_TEXT.whatsapp
            ? 'A WhatsApp message can be at most 4,096 characters'
            : null
          : `${r.rule}.`;
      }
      const t = TemplateReply.safeParse(reply.template);
      if (!t.success) return 'The template reply is malformed';
      try {
        return templateProblem(
          t.data,
          await templatesOf(await waAccount(ctx.workspaceId, ctx.lastInboundMeta)),
        );
      } catch (err) {
        return `The templates could not be read from WhatsApp: ${(err as Error).message}`;
      }
    },
    async deliver(msg: OutboundMessage): Promise<DeliveryResult> {
      const a = await waAccount(msg.workspaceId, msg.lastInboundMeta);
      const waId =
        msg.to.identities.find((i) => i.kind === 'whatsapp')?.value ??
        (msg.to.phone ? msg.to.phone.replace(/\D/g, '') : null);
      if (!waId) throw new PermanentDeliveryError('The customer has no WhatsApp number');
      const tpl = msg.meta?.template ? TemplateReply.safeParse(msg.meta.template) : null;
      let message: Record<string, unknown>;
      if (tpl) {
        if (!tpl.success) throw new PermanentDeliveryError('The template reply is malformed');
        // Checked again at send time: the template may have been paused since the agent chose it.
        const templates = await templatesOf(a).catch((err) => {
          throw permanentOr(err);
        });
        const problem = templateProblem(tpl.data, templates);
        if (problem) throw new PermanentDeliveryError(problem);
        const header = templates.find(
          (x) => x.name === tpl.data.name && x.language === tpl.data.language,
        )?.header;
        message = { to: waId, type: 'template', template: templatePayload(tpl.data, header?.format ?? null) };
      } else {
        const rule = waRule({
          workspaceId: msg.workspaceId,
          lastInboundAt: msg.lastInboundAt ?? null,
          lastInboundMeta: msg.lastInboundMeta,
          now: new Date(),
        });
        if (!rule.freeText) throw new PermanentDeliveryError(`${rule.rule}.`);
        const body = msg.bodyText.trim();
        if (!body) throw new PermanentDeliveryError('A WhatsApp message needs text');
        if (body.length > MAX_TEXT.whatsapp)
          throw new PermanentDeliveryError('A WhatsApp message can be at most 4,096 characters');
        message = { to: waId, type: 'text', text: { body, preview_url: false } };
      }
      if (msg.attachments.length)
        throw new PermanentDeliveryError('Sending files on WhatsApp is not supported yet');
      try {
        const r = await ports.api.sendWhatsApp(credsOf(a), a.settings.phoneNumberId, message);
        return {
          externalId: r.id,
          meta: { accountId: a.id, whatsapp: { to: waId, ...(tpl ? { template: tpl.data?.name } : {}) } },
        };
      } catch (err) {
        throw permanentOr(err);
      }
    },
  };

  // --- Messenger and Instagram ---------------------------------------------------------------------
  type PageAccount = ChannelAccount<MetaPageSettings>;
  function pageChannel(channel: PageChannel): ChannelAdapter {
    const label = LABEL[channel];
    const inbound: InboundChannel<MetaPageSettings> = {
      hooks: ['webhook'],
      settings: MetaPageSettings,
      secrets: MetaSecrets,
      addressOf: (s) => s.pageName || s.pageId,
      handshake: (k, q, a) => handshake(k, q, a as ChannelAccount),
      verify(req, account) {
        checkSignature(req, account as ChannelAccount);
        const id = pageProviderId(req.body, parsePage(channel, req.body));
        return id ? { providerId: id } : null;
      },
      read: (d, account) => readPage(channel, d.body, d.receivedAt, account, ports.api, ports.maxMediaBytes),
    };
    async function account(workspaceId: number, meta: Record<string, unknown> | null | undefined) {
      const a = (await ports.accountFor(workspaceId, channel, lastAccountId(meta))) as PageAccount | null;
      if (!a) throw new PermanentDeliveryError(`No ${label} account is connected (Settings → ${label})`);
      return a;
    }
    /** Standard messaging: 24 h after the customer wrote; with HUMAN_AGENT enabled, 7 days, tagged. */
    const ruleFor = (ctx: ReplyContext, humanAgent: boolean): ReplyRule & { tag: boolean } => {
      const last = ctx.lastInboundAt;
      const std = last ? new Date(last.getTime() + 24 * HOUR) : null;
      const human = last ? new Date(last.getTime() + 7 * 24 * HOUR) : null;
      if (std && std > ctx.now)
        return {
          freeText: true,
          closesAt: humanAgent ? human : std,
          templates: false,
          tag: false,
          rule: `${label}'s 24-hour standard messaging window: replies until ${fmt(std)}${humanAgent ? ', then tagged HUMAN_AGENT for up to 7 days' : ''}`,
        };
      if (humanAgent && human && human > ctx.now)
        return {
          freeText: true,
          closesAt: human,
          templates: false,
          tag: true,
          rule: `More than 24 hours since the customer wrote: the reply goes with ${label}'s HUMAN_AGENT tag (allowed until ${fmt(human)})`,
        };
      return {
        freeText: false,
        closesAt: null,
        templates: false,
        tag: false,
        rule: last
          ? `${label} allows replies only within ${humanAgent ? '7 days (HUMAN_AGENT)' : '24 hours'} of the customer's last message (${fmt(last)}); wait for them to write again or use another channel they agreed to`
          : `The customer has not written on ${label}: the shop cannot start the conversation there`,
      };
    };
    const ruleNow = async (ctx: ReplyContext) => {
      const a = await ports.accountFor(ctx.workspaceId, channel, lastAccountId(ctx.lastInboundMeta));
      return ruleFor(ctx, !!(a?.settings as MetaPageSettings | undefined)?.humanAgentTag);
    };
    return {
      channel,
      capabilities: {
        messagingWindowHours: 24,
        media: false,
        deliveryReceipts: true,
        templates: false,
        maxLength: MAX_TEXT[channel],
      },
      inbound: inbound as unknown as InboundChannel,
      async replyRule(ctx) {
        const { tag: _tag, ...r } = await ruleNow(ctx);
        return r;
      },
      async checkReply(ctx, reply) {
        if (reply.template) return `${label} has no message templates`;
        if (reply.body.length > MAX_TEXT[channel])
          return `A ${label} message can be at most ${MAX_TEXT[channel].toLocaleString('en')} characters`;
        const r = await ruleNow(ctx);
        return r.freeText ? null : `${r.rule}.`;
      },
      async deliver(msg) {
        const a = await account(msg.workspaceId, msg.lastInboundMeta);
        const user = msg.to.identities.find((i) => i.kind === channel)?.value;
        if (!user)
          throw new PermanentDeliveryError(`The customer has no ${label} conversation with the shop`);
        const rule = ruleFor(
          {
            workspaceId: msg.workspaceId,
            lastInboundAt: msg.lastInboundAt ?? null,
            lastInboundMeta: msg.lastInboundMeta,
            now: new Date(),
          },
          a.settings.humanAgentTag,
        );
        if (!rule.freeText) throw new PermanentDeliveryError(`${rule.rule}.`);
        const text = msg.bodyText.trim();
        if (!text) throw new PermanentDeliveryError(`A ${label} message needs text`);
        if (text.length > MAX_TEXT[channel])
          throw new PermanentDeliveryError(
            `A ${label} message can be at most ${MAX_TEXT[channel]} characters`,
          );
        if (msg.attachments.length)
          throw new PermanentDeliveryError(`Sending files on ${label} is not supported yet`);
        try {
          const r = await ports.api.sendPageMessage(credsOf(a), a.settings.pageId, {
            recipient: { id: user },
            messaging_type: rule.tag ? 'MESSAGE_TAG' : 'RESPONSE',
            ...(rule.tag ? { tag: 'HUMAN_AGENT' } : {}),
            // Comes back in the echo: the desk knows the echo is its own and does not record it twice.
            message: { text, metadata: `${OUR_METADATA_PREFIX}${msg.messageId}` },
          });
          return {
            externalId: r.id,
            meta: { accountId: a.id, [channel]: { to: user, ...(rule.tag ? { tag: 'HUMAN_AGENT' } : {}) } },
          };
        } catch (err) {
          throw permanentOr(err);
        }
      },
    };
  }

  return [whatsapp, pageChannel('messenger'), pageChannel('instagram')];
}
