import { Secret, TOTP } from 'otpauth';

// RFC 6238 via `otpauth` (well kept, no install scripts, used by many authenticator projects) instead
// of hand-written base32 and HOTP truncation: fewer lines of crypto code of our own to get wrong.
// SHA-1, 6 digits, 30 s: the variant every authenticator app supports.
const PERIOD = 30;
const totp = (secret: string, account = '', issuer = 'Shopdesk') =>
  new TOTP({ issuer, label: account, secret: Secret.fromBase32(secret), period: PERIOD });

export const generateTotpSecret = () => new Secret({ size: 20 }).base32;

export function totpCode(secret: string, at = Date.now()): string {
  return totp(secret).generate({ timestamp: at });
}

/**
 * The time step (counter) a code belongs to, accepting one step either side for clock drift; null when
 * the code matches none. Callers store the step and refuse a step at or before the last one used, so a
 * code cannot be replayed inside its window.
 */
export function matchTotpStep(secret: string, code: string, at = Date.now()): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secret).validate({ token, timestamp: at, window: 1 });
  return delta === null ? null : TOTP.counter({ period: PERIOD, timestamp: at }) + delta;
}

export function otpauthUrl(secret: string, account: string, issuer = 'Shopdesk'): string {
  return totp(secret, account, issuer).toString();
}
