import { GRADES, type Grade } from '../../shared/auth/grades.ts';

/**
 * What a professional earns for a delivered case: a fee by role (author or peer reviewer), grade and urgency,
 * per currency, in integer minor units. The table is configuration: {@link DEFAULT_RATES} unless the function is
 * created with another (see config.ts).
 */

export const URGENCIES = ['standard', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const ROLES = ['author', 'reviewer'] as const;
export type EarningRole = (typeof ROLES)[number];

/** Fees of one currency: role → grade → urgency → minor units. */
export type RateRow = Readonly<Record<EarningRole, Readonly<Record<Grade, Readonly<Record<Urgency, number>>>>>>;

/** Currency (ISO 4217) → fees. */
export type RateTable = Readonly<Record<string, RateRow>>;

const EUR: RateRow = {
  author: {
    G1: { standard: 8_000, urgent: 12_000 },
    G2: { standard: 11_000, urgent: 16_500 },
    G3: { standard: 14_000, urgent: 21_000 },
    G4: { standard: 18_000, urgent: 27_000 },
  },
  reviewer: {
    G1: { standard: 2_500, urgent: 3_750 },
    G2: { standard: 3_500, urgent: 5_250 },
    G3: { standard: 4_500, urgent: 6_750 },
    G4: { standard: 6_000, urgent: 9_000 },
  },
};

/** Every fee of `row` times `percent` / 100, rounded to whole minor units (integer arithmetic only). */
function scaled(row: RateRow, percent: number): RateRow {
  const scale = (amount: number) => Math.round((amount * percent) / 100);
  const byGrade = (fees: RateRow[EarningRole]) =>
    Object.fromEntries(GRADES.map((g) => [g, { standard: scale(fees[g].standard), urgent: scale(fees[g].urgent) }])) as RateRow[EarningRole];
  return { author: byGrade(row.author), reviewer: byGrade(row.reviewer) };
}

/** The default fees: EUR as set, other currencies from it at fixed ratios (changed by configuration, not FX). */
export const DEFAULT_RATES: RateTable = { EUR, USD: scaled(EUR, 110), GBP: scaled(EUR, 86), CHF: scaled(EUR, 95) };

/**
 * The fee for one role on one case, as money.
 *
 * @example
 * feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'author', grade: 'G3', urgency: 'urgent' }); // { amount: 21000, currency: 'EUR' }
 */
export function feeFor(rates: RateTable, input: { currency: string; role: EarningRole; grade: Grade; urgency: Urgency }): { amount: number; currency: string } {
  const row = rates[input.currency];
  if (!row) throw new Error(`no payout rates for ${input.currency}`);
  return { amount: row[input.role][input.grade][input.urgency], currency: input.currency };
}

/**
 * Refuses a table that cannot pay in `currency` or holds anything but non-negative whole minor units, so a bad
 * configuration stops the function at start instead of failing one delivery at a time.
 *
 * @example
 * checkRates(DEFAULT_RATES, 'EUR'); // returns; checkRates({}, 'EUR') throws
 */
export function checkRates(rates: RateTable, currency: string): void {
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`payout currency ${currency} is not an ISO 4217 code`);
  const row = rates[currency];
  if (!row) throw new Error(`the payout rate table has no ${currency} row`);
  for (const role of ROLES) {
    for (const grade of GRADES) {
      for (const urgency of URGENCIES) {
        const amount = row[role]?.[grade]?.[urgency];
        if (!Number.isSafeInteger(amount) || amount! < 0) throw new Error(`payout rate ${currency}/${role}/${grade}/${urgency} must be whole minor units ≥ 0`);
      }
    }
  }
}
