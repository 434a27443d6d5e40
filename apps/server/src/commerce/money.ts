import { currencyExponent, minorToDecimal } from '@shopdesk/contracts';

// The exponent table lives in contracts, shared with every screen that formats money.
export { currencyExponent };

/**
 * "398.00" → 39800 without floating point: stores send decimal strings and a float round-trip would
 * turn 0.29 into 28 cents.
 */
export function toMinor(amount: string | number | null | undefined, currency: string): number {
  if (amount === null || amount === undefined || amount === '') return 0;
  const exp = currencyExponent(currency);
  const s = typeof amount === 'number' ? amount.toFixed(exp) : amount.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m) throw new Error(`not an amount: ${s}`);
  const frac = (m[3] ?? '').padEnd(exp + 1, '0');
  let minor = Number(m[2] || '0') * 10 ** exp + Number(frac.slice(0, exp) || '0');
  if (Number(frac[exp]) >= 5) minor += 1; // half-up on a third decimal
  return m[1] === '-' ? -minor : minor;
}

/** 39800 → "398.00", the decimal string store APIs expect. */
export const fromMinor = (minor: number, currency: string): string => minorToDecimal(minor, currency);
