import type { Specialty } from '../../shared/auth/specialties.ts';

/**
 * What a case costs and how fast its opinion is promised: pure lookups over a table kept in code. Amounts are
 * integer minor units (cents, pence); a case's price is fixed when it is created and stored with it.
 */

export const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;
export type Currency = (typeof CURRENCIES)[number];

export const URGENCIES = ['standard', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

type PriceRow = Readonly<Record<Urgency, Readonly<Record<Currency, number>>>>;

/** The price when no specialty is asked for (triage chooses one later). */
export const GENERIC_PRICES: PriceRow = {
  standard: { EUR: 29_000, USD: 32_000, GBP: 25_000 },
  urgent: { EUR: 44_000, USD: 48_000, GBP: 38_000 },
};

/** Specialties whose reviews take a consultant longer (imaging, histology, multi-disciplinary questions). */
const COMPLEX_PRICES: PriceRow = {
  standard: { EUR: 39_000, USD: 43_000, GBP: 34_000 },
  urgent: { EUR: 59_000, USD: 65_000, GBP: 51_000 },
};

/** Everything else that is a single-specialty review. */
const STANDARD_PRICES: PriceRow = {
  standard: { EUR: 32_000, USD: 35_000, GBP: 28_000 },
  urgent: { EUR: 48_000, USD: 53_000, GBP: 42_000 },
};

const COMPLEX: ReadonlySet<Specialty> = new Set<Specialty>(['oncology', 'neurosurgery', 'neurology', 'cardiology', 'radiology', 'pathology', 'genetics', 'hematology']);

/**
 * The default price table: specialty × urgency × currency, in minor units. Every specialty of
 * `shared/auth/specialties.ts` has a row: complex specialties one tier, all others another.
 */
export function priceRowFor(specialty: Specialty | undefined): PriceRow {
  if (!specialty) return GENERIC_PRICES;
  return COMPLEX.has(specialty) ? COMPLEX_PRICES : STANDARD_PRICES;
}

/** Money as the API shows it. */
export interface Price {
  amount: number;
  currency: Currency;
}

/**
 * The price of a case.
 *
 * @example
 * priceOf({ specialty: 'cardiology', urgency: 'urgent', currency: 'EUR' }); // { amount: 59000, currency: 'EUR' }
 * priceOf({ urgency: 'standard', currency: 'GBP' });                         // { amount: 25000, currency: 'GBP' }
 */
export function priceOf(input: { specialty?: Specialty | undefined; urgency: Urgency; currency: Currency }): Price {
  return { amount: priceRowFor(input.specialty)[input.urgency][input.currency], currency: input.currency };
}

/** Promised turnaround per urgency, counted from when the case is paid: standard 5 days, urgent 48 hours. */
export const TURNAROUND_HOURS: Readonly<Record<Urgency, number>> = { standard: 120, urgent: 48 };

/**
 * When the opinion of a case paid at `paidAt` is promised by: payment plus the turnaround of its urgency.
 *
 * @example
 * promisedBy(new Date('2026-03-01T10:00:00Z'), 'urgent'); // 2026-03-03T10:00:00.000Z
 */
export function promisedBy(paidAt: Date, urgency: Urgency): Date {
  return new Date(paidAt.getTime() + TURNAROUND_HOURS[urgency] * 3_600_000);
}

/** The promised turnaround as the API shows it. */
export interface Turnaround {
  hours: number;
  /** The same as an ISO 8601 duration (`P5D`, `PT48H`). */
  duration: string;
}

/**
 * How long the opinion may take for a case of this urgency.
 *
 * @example
 * turnaroundOf('urgent'); // { hours: 48, duration: 'PT48H' }
 */
export function turnaroundOf(urgency: Urgency): Turnaround {
  const hours = TURNAROUND_HOURS[urgency];
  return { hours, duration: hours % 24 === 0 && hours > 48 ? `P${hours / 24}D` : `PT${hours}H` };
}
