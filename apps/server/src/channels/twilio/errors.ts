/**
 * Twilio's error codes an agent will meet on an SMS, in words (https://www.twilio.com/docs/api/errors).
 * Unknown codes show Twilio's own message, or the code.
 */
const WORDS: Record<string, string> = {
  '21211': 'The number is not a valid phone number',
  '21408': 'Sending to this country is not enabled on the Twilio account',
  '21610': 'The customer texted STOP: Twilio refuses to message this number',
  '21612': 'Twilio cannot send between these two numbers',
  '21614': 'The number is not a mobile number that can receive texts',
  '21617': 'The message is longer than Twilio accepts (1,600 characters)',
  '30001': 'Queue overflow at Twilio: too many messages sent too quickly',
  '30002': 'The Twilio account is suspended',
  '30003': "The customer's phone is switched off or out of reach",
  '30004': 'The message was blocked (the customer may have blocked the number)',
  '30005': 'The number does not exist or is no longer in service',
  '30006': 'The number is a landline or its carrier cannot receive texts',
  '30007': "The customer's carrier filtered the message as spam",
  '30008': 'The carrier gave no reason for not delivering the message',
  '30034': 'The sending number is not registered for A2P 10DLC messaging in the US',
};

export function twilioErrorInWords(
  code: string | number | null | undefined,
  message?: string | null,
): string {
  const c = code == null || code === '' ? null : String(code);
  const words =
    (c && WORDS[c]) || message || (c ? 'Twilio could not deliver the message' : 'Twilio reported a failure');
  return c ? `${words} (Twilio error ${c})` : words;
}
