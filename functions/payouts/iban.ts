/**
 * IBAN and BIC checks for bank details a professional enters (ISO 13616 / ISO 9362). Pure functions; the route
 * turns a failure into 422 with a pointer.
 */

/** IBAN length by country (SEPA members and a few frequent others); other countries need 15–34 characters. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22,
  GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18,
  NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
};

/**
 * The IBAN in its electronic form: spaces removed, upper case.
 *
 * @example
 * normalizeIban('de89 3704 0044 0532 0130 00'); // 'DE89370400440532013000'
 */
export function normalizeIban(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/**
 * The ISO 7064 mod-97-10 remainder of an IBAN (check digits included), computed digit by digit so no number
 * exceeds a few digits: a valid IBAN leaves 1.
 *
 * @example
 * ibanRemainder('GB82WEST12345698765432'); // 1
 */
export function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    // Letters count as two digits (A = 10 … Z = 35); digits as themselves.
    const value = code >= 65 && code <= 90 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder;
}

/**
 * Why `input` is not a valid IBAN, or `undefined` when it is (after {@link normalizeIban}).
 *
 * @example
 * ibanProblem('DE89370400440532013000'); // undefined
 * ibanProblem('DE89370400440532013001'); // 'the check digits do not match (mod 97)'
 */
export function ibanProblem(input: string): string | undefined {
  const iban = normalizeIban(input);
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return 'an IBAN is a country code, two check digits and up to 30 letters or digits';
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return `an IBAN from ${iban.slice(0, 2)} has ${expected} characters`;
  if (ibanRemainder(iban) !== 1) return 'the check digits do not match (mod 97)';
  return undefined;
}

/**
 * Whether `input` is a well-formed BIC (8 or 11 characters: bank, country, location, optional branch).
 *
 * @example
 * isBic('COBADEFFXXX'); // true
 */
export function isBic(input: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(input);
}
