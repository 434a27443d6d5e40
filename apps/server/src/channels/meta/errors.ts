/**
 * Meta's error codes in words an agent acts on (WhatsApp Cloud API error codes, Messenger Send API
 * errors). Unknown codes keep Meta's own message.
 */
const WORDS: Record<number, string> = {
  190: 'Meta refused the access token (expired or revoked): paste a new one in the channel settings',
  10: 'The access token lacks the permission to send messages for this account',
  100: 'Meta refused a field of the message',
  368: 'Meta blocked this account from sending for now (policy)',
  551: 'This person is not available right now (they blocked the Page or deactivated their account)',
  130429: 'Meta is throttling this number: the reply will be retried',
  130472: "The customer's number is part of a Meta experiment and cannot receive this message",
  131026: 'The message could not be delivered (the number is not on WhatsApp or has not accepted its terms)',
  131047: 'More than 24 hours passed since the customer last wrote: only an approved template can be sent',
  131049: 'Meta held the message back to protect engagement (too many marketing messages to this customer)',
  131050: 'The customer stopped marketing messages from this business',
  131051: 'WhatsApp does not support this message type',
  131052: 'WhatsApp could not download the media',
  131053: 'WhatsApp could not upload the media',
  131056: 'Too many messages to this customer in a short time: the reply will be retried',
  132000: "The template's variables do not match what the approved template needs",
  132001: 'The template does not exist in this language (or is not approved yet)',
  132005: 'The template text with its variables is too long',
  132007: 'The template breaks WhatsApp policy',
  132012: 'A template variable is in the wrong format',
  132015: 'The template is paused for low quality',
  132016: 'The template is disabled for low quality',
};
const SUBCODES: Record<number, string> = {
  2018278: 'The reply is outside the messaging window Meta allows (24 hours, or 7 days with HUMAN_AGENT)',
  2534022: 'The reply is outside the messaging window Meta allows (24 hours, or 7 days with HUMAN_AGENT)',
  2018108: 'This person cannot receive messages from the Page right now',
  2018001: 'No person matches this id (they may have deleted their account)',
};

export function graphErrorInWords(code: number | null, subcode: number | null, message: string): string {
  const words = (subcode !== null && SUBCODES[subcode]) || (code !== null && WORDS[code]) || null;
  const ref = [code, subcode].filter((x) => x !== null).join('/');
  return words ? `${words} (Meta error ${ref})` : `${message}${ref ? ` (Meta error ${ref})` : ''}`;
}
