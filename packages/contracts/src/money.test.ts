import { describe, expect, it } from 'vitest';
import { currencyExponent, decimalToMinor, formatMoney, minorToDecimal } from './money.ts';

describe('money in minor units per currency', () => {
  it('knows each currency’s exponent: yen 0, euro 2, Kuwaiti and Bahraini dinar 3', () => {
    expect(['JPY', 'EUR', 'KWD', 'BHD', 'jpy', 'XXQ'].map(currencyExponent)).toEqual([0, 2, 3, 3, 0, 2]);
  });

  it('turns minor units into the exact decimal string and back', () => {
    expect(minorToDecimal(1500, 'JPY')).toBe('1500');
    expect(minorToDecimal(12345, 'KWD')).toBe('12.345');
    expect(minorToDecimal(5, 'BHD')).toBe('0.005');
    expect(minorToDecimal(-1290, 'EUR')).toBe('-12.90');
    expect(decimalToMinor('1500', 'JPY')).toBe(1500);
    expect(decimalToMinor('12.345', 'KWD')).toBe(12345);
    expect(decimalToMinor('1,5', 'BHD')).toBe(1500);
    expect(decimalToMinor('12.5', 'EUR')).toBe(1250);
    // More decimals than the currency has is a typo, not a rounding job.
    expect(decimalToMinor('12.5', 'JPY')).toBeNull();
    expect(decimalToMinor('1.2345', 'KWD')).toBeNull();
    expect(decimalToMinor('abc', 'EUR')).toBeNull();
  });

  it('formats with the currency’s own decimals in the reader’s locale', () => {
    expect(formatMoney(1500, 'JPY', 'en')).toBe('¥1,500');
    expect(formatMoney(12345, 'KWD', 'en')).toMatch(/^KWD\s12\.345$/);
    expect(formatMoney(2505, 'BHD', 'en')).toMatch(/^BHD\s2\.505$/);
    expect(formatMoney(12900, 'EUR', 'en')).toBe('€129.00');
    expect(formatMoney(12900, 'EUR', 'de')).toMatch(/^129,00\s€$/);
    // Large amounts stay exact (no float on the way).
    expect(formatMoney(900719925474099, 'EUR', 'en')).toBe('€9,007,199,254,740.99');
    // An unknown code still shows the amount.
    expect(formatMoney(1234, 'X1', 'en')).toBe('12.34 X1');
  });
});
