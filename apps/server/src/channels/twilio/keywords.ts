/**
 * The opt-out, opt-in and help keywords carriers and Twilio honour for SMS (Twilio "Advanced Opt-Out"
 * defaults): the whole message, any case, surrounding spaces and punctuation ignored.
 */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP', 'OPTIN']);
const HELP = new Set(['HELP', 'INFO']);

const TRAILING = new Set(['.', '!', '?', ' ', '\t', '\n', '\r']);

export type Keyword = { kind: 'opt-out' | 'opt-in' | 'help'; word: string };

export function smsKeyword(body: string): Keyword | null {
  // Trailing punctuation is cut by hand: `/[\s.!?]+$/` backtracks quadratically on long bodies (redos.test).
  const text = body.trim();
  let end = text.length;
  while (end > 0 && TRAILING.has(text[end - 1]!)) end--;
  const word = text.slice(0, end).replace(/[\s-]/g, '').toUpperCase();
  if (OPT_OUT.has(word)) return { kind: 'opt-out', word };
  if (OPT_IN.has(word)) return { kind: 'opt-in', word };
  if (HELP.has(word)) return { kind: 'help', word };
  return null;
}
