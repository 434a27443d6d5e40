import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A phone number as shoppers type it ("(415) 555-0100", "0044 20 7946 0958", "+44 20 7946 0958") in
 * E.164, or null when it is not a possible number. libphonenumber-js carries Google's numbering metadata.
 */
export function toE164(raw: string, defaultCountry = 'US'): string | null {
  const cleaned = raw.trim().replace(/^00/, '+');
  const n = parsePhoneNumberFromString(cleaned, defaultCountry as CountryCode);
  return n?.isPossible() ? n.number : null;
}
