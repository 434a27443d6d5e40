import type { TwilioSmsSettings } from '@shopdesk/contracts';
import type { ChannelAccount, InboundItem } from '../inbound.ts';
import { field, type TwilioParams } from './signature.ts';
import type { TwilioApi } from './twilio-api.ts';
import { TwilioApiError } from './twilio-api.ts';
import { xml } from './xml.ts';

/*
 * Click-to-call (docs/sms-voice.md "Calling back"): Calls.json rings the agent's own phone from the shop's
 * number; when the agent picks up, the inline TwiML <Dial>s the customer with the shop's number as caller
 * id. Twilio reports both legs to the account's `call-status` webhook: the call's StatusCallback (the
 * agent's leg: CallStatus) and the <Dial> action (the customer's leg: DialCallStatus). Both are signed and
 * stored by the intake like every other webhook, and handed to modules/callbacks as `call.status` events.
 */

type Account = ChannelAccount<TwilioSmsSettings>;

/** The <Dial> action and each status callback are stored once: Twilio's retries are acknowledged only. */
export function callStatusProviderId(callSid: string, p: TwilioParams): string | null {
  if (field(p, 'DialCallStatus')) return `${callSid}:dial`;
  const status = field(p, 'CallStatus');
  return status ? `${callSid}:call:${status}` : null;
}

const seconds = (v: string | undefined) => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
};

export function readCallStatus(p: TwilioParams): InboundItem[] {
  const callSid = field(p, 'CallSid')!;
  const dial = field(p, 'DialCallStatus');
  return [
    {
      type: 'event',
      name: 'call.status',
      data: dial
        ? { callSid, leg: 'customer', status: dial, durationSeconds: seconds(field(p, 'DialCallDuration')) }
        : {
            callSid,
            leg: 'agent',
            status: field(p, 'CallStatus') ?? '',
            durationSeconds: seconds(field(p, 'CallDuration')),
          },
    },
  ];
}

/** The TwiML the agent's leg runs once they answer: bridge to the customer from the shop's number. */
export function bridgeTwiml(account: Account, customerPhone: string) {
  const v = account.settings.voice;
  return (
    '<?xml version="1.0" encoding="UTF-8"?><Response>' +
    `<Say language="${xml(v.language)}">Connecting you to the customer.</Say>` +
    `<Dial callerId="${xml(account.settings.phoneNumber ?? '')}" timeout="25"` +
    ` action="${xml(account.webhooks['call-status'] ?? '')}" method="POST">` +
    `<Number>${xml(customerPhone)}</Number></Dial></Response>`
  );
}

/** The CallbackDialer of modules/callbacks, through the workspace's SMS account (its number). */
export function createTwilioDialer(ports: {
  accountFor(workspaceId: number, accountId: number | null): Promise<ChannelAccount | null>;
  api: TwilioApi;
}) {
  return {
    async dial(
      workspaceId: number,
      c: { accountId: number | null; agentPhone: string; customerPhone: string; ticketId: number },
    ): Promise<{ callSid: string; status: string } | { error: string }> {
      const account = (await ports.accountFor(workspaceId, c.accountId)) as Account | null;
      if (!account) return { error: 'No Twilio number is connected (Settings → SMS)' };
      if (!account.settings.phoneNumber)
        return { error: 'Calls need the account’s phone number (a Messaging Service cannot call)' };
      try {
        return await ports.api.createCall(
          {
            workspaceId,
            accountSid: account.settings.accountSid,
            authToken: account.secrets.authToken!,
          },
          {
            to: c.agentPhone,
            from: account.settings.phoneNumber,
            twiml: bridgeTwiml(account, c.customerPhone),
            statusCallback: account.webhooks['call-status'] ?? '',
          },
        );
      } catch (err) {
        if (err instanceof TwilioApiError) return { error: err.message };
        return { error: `Twilio could not be reached: ${(err as Error).message}` };
      }
    },
  };
}
