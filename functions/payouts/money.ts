/**
 * Minor units → the decimal string a bank file wants, without floats: the integer's digits with the point put in
 * by string operations, using the currency's ISO 4217 exponent.
 */

/** Currencies whose minor unit is not 1/100. */
const EXPONENTS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, ISK: 0, CLP: 0, BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3 };

/**
 * The number of decimal places of `currency` (2 unless listed).
 *
 * @example
 * exponentOf('EUR'); // 2
 */
export function exponentOf(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/**
 * Formats integer minor units as a decimal string with exactly the currency's decimals.
 *
 * @example
 * decimalAmount(123456n, 'EUR'); // '1234.56'
 * decimalAmount(5, 'EUR');       // '0.05'
 */
export function decimalAmount(minor: bigint | number, currency: string): string {
  const value = BigInt(minor);
  if (value < 0n) throw new Error('amounts in a credit transfer are never negative');
  const exponent = exponentOf(currency);
  if (exponent === 0) return value.toString();
  const digits = value.toString().padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * The decimal sum of amounts in possibly different currencies (a credit-transfer file's control sum adds them
 * all), with as many decimals as the most precise of them; integer arithmetic throughout.
 *
 * @example
 * decimalSum([{ amount: 150, currency: 'EUR' }, { amount: 1, currency: 'EUR' }]); // '1.51'
 */
export function decimalSum(amounts: readonly { amount: bigint | number; currency: string }[]): string {
  const exponent = Math.max(0, ...amounts.map((a) => exponentOf(a.currency)));
  const total = amounts.reduce((sum, a) => sum + BigInt(a.amount) * 10n ** BigInt(exponent - exponentOf(a.currency)), 0n);
  if (exponent === 0) return total.toString();
  const digits = total.toString().padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
