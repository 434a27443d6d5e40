/**
 * Money is integer minor units plus an ISO 4217 currency. How many minor units make one major unit
 * depends on the currency (¥1 = 1, €1 = 100, 1 KWD = 1000 fils), so every screen — server-rendered
 * shopper pages, dashboard, widget — converts and formats through these helpers, never `/ 100`.
 *
 * The exponents come from ISO 4217 (what stores send amounts in), not from `Intl`'s CLDR display
 * digits: CLDR shows IQD with 0 decimals and some currencies with their cash digits, while the stored
 * amounts follow ISO; formatting with CLDR's digits would turn 1.250 IQD into "1 IQD".
 */
const exponents: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Minor-unit exponent of an ISO 4217 currency: JPY 0, EUR 2, KWD 3 (2 for unknown codes). */
export const currencyExponent = (currency: string): number => exponents[currency.toUpperCase()] ?? 2;

/** 39800 EUR → "398.00", 1500 JPY → "1500", 12345 KWD → "12.345": exact, no floating point. */
export function minorToDecimal(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(minor)));
  if (exp === 0) return `${sign}${digits}`;
  const s = digits.padStart(exp + 1, '0');
  return `${sign}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

/**
 * "12.50" (or "12,50") → 1250 for EUR, "1500" → 1500 for JPY, "1.5" → 1500 for KWD; null when the
 * text is not a plain non-negative amount or has more decimals than the currency.
 */
export function decimalToMinor(text: string, currency: string): number | null {
  const exp = currencyExponent(currency);
  const m = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > exp) return null;
  return Number(m[1]) * 10 ** exp + Number(frac.padEnd(exp, '0').slice(0, exp) || '0');
}

/**
 * Minor units → "€129.00", "¥1,500", "KWD 12.345" in the reader's locale (`undefined` = the runtime's).
 * The currency's own decimals are forced, so a locale never rounds fils away or adds sen to yen.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const exp = currencyExponent(currency);
  const decimal = minorToDecimal(minor, currency);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: exp,
      maximumFractionDigits: exp,
      // Format the exact decimal string (Intl accepts one), so large amounts never go through a float.
    }).format(decimal as unknown as number);
  } catch {
    return `${decimal} ${currency}`;
  }
}
