/**
 * VAT arithmetic on integer minor units. Prices are VAT-inclusive: the gross is what the patient pays, the net is
 * derived (rounded to the nearest minor unit) and the tax is the rest, so net + tax = gross exactly.
 */

export interface VatSplit {
  net: number;
  tax: number;
  gross: number;
  rateBp: number;
}

/**
 * Splits a VAT-inclusive gross at `rateBp` basis points (1900 = 19 %).
 *
 * @example
 * splitGross(11900, 1900); // { net: 10000, tax: 1900, gross: 11900, rateBp: 1900 }
 */
export function splitGross(gross: number, rateBp: number): VatSplit {
  if (!Number.isSafeInteger(gross) || gross < 0) throw new RangeError('gross must be a non-negative integer');
  const net = Number((BigInt(gross) * 10_000n * 2n + BigInt(10_000 + rateBp)) / (BigInt(10_000 + rateBp) * 2n));
  return { net, tax: gross - net, gross, rateBp };
}

/**
 * The VAT rate for a patient's country from a rate table (`default` for unknown or missing countries).
 *
 * @example
 * vatRateFor({ default: 0, DE: 1900 }, 'DE'); // 1900
 */
export function vatRateFor(table: Record<string, number>, country: string | null | undefined): number {
  return (country ? table[country] : undefined) ?? table.default ?? 0;
}

/**
 * The part of a split that `amount` (a refund of part of the gross) stands for, tax first rounded, so that
 * refunding every part of a payment gives back exactly its net and its tax.
 *
 * @example
 * proportion({ net: 10000, tax: 1900, gross: 11900, rateBp: 1900 }, 5950); // { net: 5000, tax: 950 }
 */
export function proportion(split: VatSplit, amount: number): { net: number; tax: number } {
  if (split.gross === 0) return { net: 0, tax: 0 };
  const tax = Number((BigInt(split.tax) * BigInt(amount) * 2n + BigInt(split.gross)) / (BigInt(split.gross) * 2n));
  return { net: amount - tax, tax };
}
