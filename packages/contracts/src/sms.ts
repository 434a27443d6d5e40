import { z } from 'zod';

/** Calls to the number: a greeting by business hours, then voicemail (docs/sms-voice.md). */
export const TwilioVoiceSettings = z.object({
  enabled: z
    .boolean()
    .default(false)
    .describe("Answer calls with the greeting and take a voicemail (set the number's voice webhook)"),
  greetingOpen: z
    .string()
    .max(500)
    .default(
      'Thanks for calling. All of us are helping other customers right now. Please leave a message after the tone and we will call you back.',
    ),
  greetingClosed: z
    .string()
    .max(500)
    .default(
      'Thanks for calling. We are closed right now. Please leave a message after the tone and we will call you back when we open.',
    ),
  consentNotice: z
    .string()
    .max(300)
    .default('Your message is recorded and transcribed so that we can help you.'),
  maxRecordingSeconds: z.number().int().min(10).max(600).default(120),
  transcriber: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/)
    .default('twilio')
    .describe("Who transcribes voicemails: Twilio's transcription, or a registered speech-to-text service"),
  callbackWithinMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(240)
    .describe('A voicemail or missed call is due for a call back within this many business-hours minutes'),
  language: z
    .string()
    .regex(/^[a-z]{2}-[A-Z]{2}$/)
    .default('en-US'),
});
export type TwilioVoiceSettings = z.infer<typeof TwilioVoiceSettings>;

/** A Twilio account connected to an SMS inbox (docs/sms-voice.md). The auth token is a secret field. */
export const TwilioSmsSettings = z
  .object({
    accountSid: z
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio Account SID (AC followed by 32 hex characters)'),
    phoneNumber: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550100')
      .nullable()
      .default(null)
      .describe('The Twilio number customers text; replies are sent from it'),
    messagingServiceSid: z
      .string()
      .trim()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG followed by 32 hex characters)')
      .nullable()
      .default(null)
      .describe('Send through this Messaging Service instead of one number'),
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .default('US')
      .describe('Country for numbers typed without a country code (ISO 3166 alpha-2)'),
    helpText: z.string().max(320).default('').describe('Answer to HELP; empty leaves HELP to Twilio'),
    voice: TwilioVoiceSettings.default(TwilioVoiceSettings.parse({})),
  })
  .refine((s) => s.phoneNumber || s.messagingServiceSid, {
    message: 'give the phone number or the Messaging Service SID',
    path: ['phoneNumber'],
  });
export type TwilioSmsSettings = z.infer<typeof TwilioSmsSettings>;

export const TwilioSecrets = z.object({
  authToken: z.string().trim().min(16, 'the Auth Token is 32 characters').max(200),
});
