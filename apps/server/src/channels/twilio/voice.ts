import type { TwilioSmsSettings } from '@shopdesk/contracts';
import type { ChannelAccount, InboundItem, StoredDelivery } from '../inbound.ts';
import type { SpeechRegistry } from '../speech-to-text.ts';
import { callStatusProviderId, readCallStatus } from './click-to-call.ts';
import { toE164 } from './phone.ts';
import { field, type TwilioParams } from './signature.ts';
import type { TwilioApi } from './twilio-api.ts';
import { xml } from './xml.ts';

/*
 * Calls to an SMS account's number (docs/sms-voice.md): a greeting chosen by business hours, the consent
 * notice, then <Record> with a beep and a length limit; the recording becomes a voicemail ticket (channel
 * `voice`) with the audio attached, and Twilio's transcript is added to it as a note when it arrives.
 */

type Account = ChannelAccount<TwilioSmsSettings>;
/** `call-status`: click-to-call's status callback and <Dial> action (click-to-call.ts). */
export const VOICE_HOOKS = ['voice', 'voicemail', 'transcription', 'call-status'] as const;
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

const twiml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;

/** The provider id of a voice webhook, or null when it lacks a call id (→ 400). */
export function voiceProviderId(kind: string, p: TwilioParams): string | null {
  const call = field(p, 'CallSid');
  if (!call || !CALL_SID.test(call)) return null;
  if (kind === 'call-status') return callStatusProviderId(call, p);
  if (kind === 'transcription') {
    const t = field(p, 'TranscriptionSid');
    return t ? `${t}:transcription` : null;
  }
  return `${call}:${kind}`;
}

/** The TwiML Twilio runs for an incoming call, and after the recording ends. */
export function voiceResponse(kind: string, account: Account, open: boolean): string {
  const v = account.settings.voice;
  const say = (text: string) => (text ? `<Say language="${xml(v.language)}">${xml(text)}</Say>` : '');
  if (kind === 'voicemail') return twiml(`${say('Thank you. Goodbye.')}<Hangup/>`);
  if (kind !== 'voice') return twiml('');
  if (!v.enabled)
    return twiml(`${say('Sorry, this number does not take calls. Please send a text message.')}<Hangup/>`);
  const w = account.webhooks;
  return twiml(
    say(open ? v.greetingOpen : v.greetingClosed) +
      say(v.consentNotice) +
      `<Record maxLength="${v.maxRecordingSeconds}" playBeep="true" timeout="5" finishOnKey="#"` +
      ` action="${xml(w.voicemail ?? '')}" method="POST"` +
      // Twilio transcribes unless the inbox chose another speech-to-text service (read after the download).
      (v.transcriber === 'twilio'
        ? ` transcribe="true" transcribeCallback="${xml(w.transcription ?? '')}"/>`
        : '/>') +
      // Reached only when the caller said nothing: <Record> does not call its action then.
      say('We did not get a message. Goodbye.'),
  );
}

/** Job: what a stored voice webhook means. A failed recording download throws (the job retries). */
export async function readVoice(
  d: StoredDelivery,
  p: TwilioParams,
  account: Account,
  api: TwilioApi,
  maxBytes: number,
  speech?: SpeechRegistry,
): Promise<InboundItem[]> {
  const call = field(p, 'CallSid')!;
  const rawFrom = field(p, 'From') ?? field(p, 'Caller') ?? '';
  const from = toE164(rawFrom, account.settings.defaultCountry) ?? rawFrom;
  if (d.kind === 'voice') return [{ type: 'ignored', reason: 'call answered with the greeting' }];
  if (d.kind === 'call-status') return readCallStatus(p);
  if (d.kind === 'transcription') {
    const ok = field(p, 'TranscriptionStatus') === 'completed';
    const text = field(p, 'TranscriptionText')?.trim();
    return [
      {
        type: 'note',
        threadKey: `call:${call}`,
        author: 'Twilio transcription',
        text:
          ok && text ? `Voicemail transcript:\n\n${text}` : 'No transcript could be made of this voicemail.',
      },
    ];
  }
  // kind === 'voicemail': the <Record> action, with the caller and the recording.
  const url = field(p, 'RecordingUrl');
  const seconds = Number(field(p, 'RecordingDuration') ?? 0) || 0;
  const attachments: { filename: string; contentType: string; data: Buffer }[] = [];
  if (url && seconds > 0) {
    const creds = {
      workspaceId: account.workspaceId,
      accountSid: account.settings.accountSid,
      authToken: account.secrets.authToken!,
    };
    const m = await api.fetchMedia(creds, `${url}.mp3`, maxBytes);
    attachments.push({ filename: `voicemail-${call}.mp3`, contentType: 'audio/mpeg', data: m.data });
  }
  const who = from || 'an unknown number';
  const transcript = attachments[0] ? await transcribe(account, attachments[0], speech) : null;
  return [
    {
      type: 'message',
      message: {
        channel: 'voice',
        tags: attachments.length ? ['voicemail', 'callback'] : ['missed-call', 'callback'],
        from: from ? { phone: from } : { identity: { kind: 'twilio-call', value: call } },
        threadKey: `call:${call}`,
        subject: attachments.length ? `Voicemail from ${who} (${seconds} s)` : `Missed call from ${who}`,
        bodyText: attachments.length
          ? `Voicemail, ${seconds} seconds. The recording is attached; the transcript follows when Twilio has made it.`
          : 'The caller hung up without leaving a message.',
        externalId: `${call}:voicemail`,
        receivedAt: d.receivedAt,
        attachments,
        meta: {
          voice: {
            callSid: call,
            to: field(p, 'To') ?? null,
            seconds,
            recordingSid: field(p, 'RecordingSid') ?? null,
            // modules/callbacks opens a callback task due within this many business-hours minutes.
            callback: {
              reason: attachments.length ? 'voicemail' : 'missed-call',
              phone: from || null,
              withinMinutes: account.settings.voice.callbackWithinMinutes,
            },
          },
        },
      },
    },
    ...(transcript ? [{ ...transcript, threadKey: `call:${call}` }] : []),
  ];
}

/** Another speech-to-text service's transcript (Twilio's own arrives by its webhook instead). */
async function transcribe(
  account: Account,
  audio: { data: Buffer; contentType: string },
  speech: SpeechRegistry | undefined,
): Promise<{ type: 'note'; author: string; text: string } | null> {
  const name = account.settings.voice.transcriber;
  if (name === 'twilio') return null;
  const stt = speech?.get(name);
  const author = `Transcription (${name})`;
  if (!stt)
    return { type: 'note', author, text: `No transcript: no speech-to-text service "${name}" is installed.` };
  try {
    const text = (
      await stt.transcribe(audio, {
        workspaceId: account.workspaceId,
        language: account.settings.voice.language,
      })
    )?.trim();
    return {
      type: 'note',
      author,
      text: text ? `Voicemail transcript:\n\n${text}` : 'No transcript could be made of this voicemail.',
    };
  } catch (err) {
    return {
      type: 'note',
      author,
      text: `No transcript could be made of this voicemail (${(err as Error).message}).`,
    };
  }
}
