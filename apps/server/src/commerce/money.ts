/** ISO 4217 minor-unit exponents that are not 2. */
const exponents: Record<string, number> = {
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
};

export const currencyExponent = (currency: string) => exponents[currency.toUpperCase()] ?? 2;

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
export function fromMinor(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const neg = minor < 0;
  const abs = Math.abs(minor);
  if (exp === 0) return `${neg ? '-' : ''}${abs}`;
  const s = String(abs).padStart(exp + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}
