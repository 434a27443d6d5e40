import { TwilioSecrets, TwilioSmsSettings } from '@shopdesk/contracts';
import {
  type ChannelAdapter,
  type DeliveryResult,
  type OutboundMessage,
  PermanentDeliveryError,
} from '../channel-adapter.ts';
import {
  type ChannelAccount,
  type InboundChannel,
  type InboundItem,
  type StoredDelivery,
  WebhookRejected,
  type WebhookRequest,
} from '../inbound.ts';
import type { SpeechRegistry } from '../speech-to-text.ts';
import { twilioErrorInWords } from './errors.ts';
import { smsKeyword } from './keywords.ts';
import { toE164 } from './phone.ts';
import { field, parseTwilioForm, type TwilioParams, validTwilioSignature } from './signature.ts';
import { type TwilioApi, TwilioApiError } from './twilio-api.ts';
import { readVoice, VOICE_HOOKS, voiceProviderId, voiceResponse } from './voice.ts';

type Settings = TwilioSmsSettings;
type Account = ChannelAccount<Settings>;

/** What the SMS adapter needs from the server (the intake's ports, wired in app.ts). */
export interface SmsPorts {
  /** The account a reply goes out through: the one the customer wrote to, else the workspace's first. */
  accountFor(workspaceId: number, accountId: number | null): Promise<ChannelAccount | null>;
  /** The number texted STOP (and not START since). */
  optedOut(workspaceId: number, phone: string): Promise<boolean>;
  api: TwilioApi;
  /** Whether the workspace is inside its business hours now (the call greeting). */
  isOpen(workspaceId: number): Promise<boolean>;
  /** Largest media file downloaded from an MMS. */
  maxMediaBytes: number;
  /** Speech-to-text services an inbox may choose instead of Twilio's transcription. */
  speech?: SpeechRegistry;
}

const isVoice = (kind: string) => (VOICE_HOOKS as readonly string[]).includes(kind);
const SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'application/pdf': 'pdf',
  'text/vcard': 'vcf',
};

function verifiedParams(req: WebhookRequest, account: Account): TwilioParams {
  const params = parseTwilioForm(req.body);
  const sig = req.headers['x-twilio-signature'];
  if (
    !validTwilioSignature(account.secrets.authToken ?? '', Array.isArray(sig) ? sig[0] : sig, req.url, params)
  )
    throw new WebhookRejected(401, 'X-Twilio-Signature does not match this URL and body');
  if (field(params, 'AccountSid') !== account.settings.accountSid)
    throw new WebhookRejected(403, 'The request is for another Twilio account');
  return params;
}

const STATUS: Record<string, 'queued' | 'sent' | 'delivered' | 'read' | 'failed'> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/** SMS, MMS and voicemail through Twilio: one account (number or Messaging Service) per inbox. */
export function createTwilioChannels(ports: SmsPorts): ChannelAdapter[] {
  const inbound: InboundChannel<Settings> = {
    hooks: ['sms', 'status', ...VOICE_HOOKS],
    settings: TwilioSmsSettings,
    secrets: TwilioSecrets,
    addressOf: (s) => s.phoneNumber ?? s.messagingServiceSid,
    verify(req, account) {
      if (!inbound.hooks.includes(req.kind)) throw new WebhookRejected(404, `No ${req.kind} webhook on SMS`);
      const p = verifiedParams(req, account);
      if (isVoice(req.kind)) {
        const id = voiceProviderId(req.kind, p);
        if (!id) throw new WebhookRejected(400, 'CallSid (or TranscriptionSid) is missing or malformed');
        return { providerId: id };
      }
      const sid = field(p, 'MessageSid') ?? field(p, 'SmsSid');
      if (!sid || !SID.test(sid)) throw new WebhookRejected(400, 'MessageSid is missing or malformed');
      if (req.kind === 'sms') {
        if (!field(p, 'From')) throw new WebhookRejected(400, 'From is missing');
        return { providerId: sid };
      }
      const status = field(p, 'MessageStatus') ?? field(p, 'SmsStatus');
      if (!status) throw new WebhookRejected(400, 'MessageStatus is missing');
      return { providerId: `${sid}:${status}` };
    },
    async respond(req, account) {
      if (isVoice(req.kind))
        return {
          contentType: 'text/xml',
          body: voiceResponse(
            req.kind,
            account,
            req.kind === 'voice' ? await ports.isOpen(account.workspaceId) : true,
          ),
        };
      // HELP is answered in the webhook's own TwiML when the inbox has a help text; STOP/START by Twilio.
      if (req.kind === 'sms' && account.settings.helpText) {
        const kw = smsKeyword(field(parseTwilioForm(req.body), 'Body') ?? '');
        if (kw?.kind === 'help')
          return {
            contentType: 'text/xml',
            body: `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${xmlEscape(account.settings.helpText)}</Message></Response>`,
          };
      }
      return { contentType: 'text/xml', body: EMPTY_TWIML };
    },
    read: (d, account) => readDelivery(d, account),
  };

  async function readDelivery(d: StoredDelivery, account: Account): Promise<InboundItem[]> {
    const p = parseTwilioForm(d.body);
    if (isVoice(d.kind)) return readVoice(d, p, account, ports.api, ports.maxMediaBytes, ports.speech);
    const sid = (field(p, 'MessageSid') ?? field(p, 'SmsSid'))!;
    if (d.kind === 'status') {
      const raw = field(p, 'MessageStatus') ?? field(p, 'SmsStatus') ?? '';
      const status = STATUS[raw];
      if (!status) return [{ type: 'ignored', reason: `status ${raw}` }];
      return [
        {
          type: 'receipt',
          externalId: sid,
          status,
          error:
            status === 'failed' ? twilioErrorInWords(field(p, 'ErrorCode'), field(p, 'ErrorMessage')) : null,
        },
      ];
    }
    const rawFrom = field(p, 'From')!;
    const from = toE164(rawFrom, account.settings.defaultCountry) ?? rawFrom;
    const body = field(p, 'Body') ?? '';
    const attachments: { filename: string; contentType: string; data: Buffer }[] = [];
    const numMedia = Math.min(10, Number(field(p, 'NumMedia') ?? 0) || 0);
    for (let i = 0; i < numMedia; i++) {
      const url = field(p, `MediaUrl${i}`);
      if (!url) continue;
      // A failed download throws: the job retries, the message is not landed without its pictures.
      const m = await ports.api.fetchMedia(
        {
          workspaceId: account.workspaceId,
          accountSid: account.settings.accountSid,
          authToken: account.secrets.authToken!,
        },
        url,
        ports.maxMediaBytes,
      );
      const type = field(p, `MediaContentType${i}`) ?? m.contentType;
      attachments.push({
        filename: `mms-${sid}-${i + 1}.${EXT[type] ?? 'bin'}`,
        contentType: type,
        data: m.data,
      });
    }
    const kw = smsKeyword(body);
    const preview = body.replace(/\s+/g, ' ').trim();
    return [
      {
        type: 'message',
        message: {
          from: { phone: from },
          threadKey: from,
          subject: preview
            ? preview.length > 60
              ? `${preview.slice(0, 57)}…`
              : preview
            : `MMS from ${from}`,
          bodyText: body,
          externalId: sid,
          receivedAt: d.receivedAt,
          attachments,
          meta: {
            sms: {
              to: field(p, 'To') ?? null,
              segments: Number(field(p, 'NumSegments') ?? 1) || 1,
              fromCountry: field(p, 'FromCountry') ?? null,
              ...(kw ? { keyword: kw.word } : {}),
            },
          },
          consent:
            kw?.kind === 'opt-out'
              ? { state: 'opted-out', keyword: kw.word }
              : kw?.kind === 'opt-in'
                ? { state: 'opted-in', keyword: kw.word }
                : undefined,
        },
      },
    ];
  }

  const sms: ChannelAdapter = {
    channel: 'sms',
    capabilities: {
      messagingWindowHours: null,
      media: true,
      deliveryReceipts: true,
      templates: false,
      maxLength: 1600,
    },
    inbound: inbound as unknown as InboundChannel,
    async deliver(msg: OutboundMessage): Promise<DeliveryResult> {
      const accountId = Number(msg.lastInboundMeta?.accountId) || null;
      const account = (await ports.accountFor(msg.workspaceId, accountId)) as Account | null;
      if (!account) throw new PermanentDeliveryError('No SMS number is connected (Settings → SMS)');
      const to = msg.to.phone ? toE164(msg.to.phone, account.settings.defaultCountry) : null;
      if (!to) throw new PermanentDeliveryError('The customer has no valid mobile number to text');
      if (await ports.optedOut(msg.workspaceId, to))
        throw new PermanentDeliveryError(
          'The customer texted STOP: this number is never texted again until they send START',
        );
      const body = msg.bodyText.trim();
      if (!body) throw new PermanentDeliveryError('An SMS needs text');
      if (body.length > 1600) throw new PermanentDeliveryError('An SMS can be at most 1,600 characters');
      try {
        const r = await ports.api.sendMessage(
          {
            workspaceId: account.workspaceId,
            accountSid: account.settings.accountSid,
            authToken: account.secrets.authToken!,
          },
          {
            to,
            from: account.settings.phoneNumber,
            messagingServiceSid: account.settings.messagingServiceSid,
            body,
            statusCallback: account.webhooks.status,
          },
        );
        return { externalId: r.sid, meta: { accountId: account.id, sms: { to, twilioStatus: r.status } } };
      } catch (err) {
        if (err instanceof TwilioApiError && !err.retryable) throw new PermanentDeliveryError(err.message);
        throw err;
      }
    },
  };
  // Voicemail tickets are answered by text from the same number: the caller gets an SMS.
  const voice: ChannelAdapter = {
    channel: 'voice',
    capabilities: { ...sms.capabilities, media: false },
    deliver: (msg) => sms.deliver(msg),
  };
  return [sms, voice];
}
