import { z } from 'zod';

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
  })
  .refine((s) => s.phoneNumber || s.messagingServiceSid, {
    message: 'give the phone number or the Messaging Service SID',
    path: ['phoneNumber'],
  });
export type TwilioSmsSettings = z.infer<typeof TwilioSmsSettings>;

export const TwilioSecrets = z.object({
  authToken: z.string().trim().min(16, 'the Auth Token is 32 characters').max(200),
});
