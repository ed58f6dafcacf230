import type { Grade } from '../../shared/auth/grades.ts';

/** Matching's settings: taken as options with defaults here (no environment names of its own). */

export type Urgency = 'standard' | 'urgent';

/** Integer minor units and an ISO currency, as everywhere. */
export interface Money {
  amount: number;
  currency: string;
}

export interface MatchingSettings {
  /** The clock every deadline is measured with; tests pass a controllable one. */
  now: () => Date;
  /** How long an offer stays open, per urgency (ms). */
  offerWindowMs: Record<Urgency, number>;
  /** How long the patient's preferred professional holds the case alone (tier 0), per urgency (ms). */
  preferredHoldMs: Record<Urgency, number>;
  /** Time to write the opinion after accepting, per urgency (ms). */
  opinionTurnaroundMs: Record<Urgency, number>;
  /** Time to review an opinion after accepting the review, per urgency (ms). */
  reviewTurnaroundMs: Record<Urgency, number>;
  /** How many best-fit professionals tier 1 offers the case to. */
  bestFitCount: number;
  /** A professional with this many active cases receives no more offers. */
  activeCaseCap: number;
  /** This many offers expired in a row pause a professional in matching. */
  pauseAfterExpired: number;
  /** Specialties close enough to take a case in tier 3 (with mandatory peer review); read both ways. */
  adjacency: Record<string, readonly string[]>;
  /** What the professional is paid for an opinion, by grade and urgency. */
  fees: Record<Grade, Record<Urgency, Money>>;
  /** A review pays this percentage of the reviewer's opinion fee. */
  reviewFeePercent: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const eur = (amount: number): Money => ({ amount, currency: 'EUR' });

/**
 * The defaults: urgent offers open 15 min, standard 2 h; opinions due 24 h / 72 h after acceptance.
 *
 * @example
 * const settings = { ...DEFAULT_SETTINGS, bestFitCount: 5 };
 */
export const DEFAULT_SETTINGS: MatchingSettings = {
  now: () => new Date(),
  offerWindowMs: { urgent: 15 * MINUTE, standard: 2 * HOUR },
  preferredHoldMs: { urgent: 10 * MINUTE, standard: 1 * HOUR },
  opinionTurnaroundMs: { urgent: 24 * HOUR, standard: 72 * HOUR },
  reviewTurnaroundMs: { urgent: 12 * HOUR, standard: 24 * HOUR },
  bestFitCount: 3,
  activeCaseCap: 5,
  pauseAfterExpired: 3,
  adjacency: {
    cardiology: ['internal-medicine', 'vascular-surgery'],
    endocrinology: ['internal-medicine'],
    gastroenterology: ['internal-medicine'],
    nephrology: ['internal-medicine', 'urology'],
    pulmonology: ['internal-medicine'],
    neurology: ['neurosurgery', 'psychiatry'],
    oncology: ['hematology'],
    orthopedics: ['rheumatology'],
    pediatrics: ['genetics'],
  },
  fees: {
    G1: { standard: eur(8_000), urgent: eur(12_000) },
    G2: { standard: eur(12_000), urgent: eur(18_000) },
    G3: { standard: eur(18_000), urgent: eur(27_000) },
    G4: { standard: eur(25_000), urgent: eur(37_500) },
  },
  reviewFeePercent: 50,
};

/**
 * Fills unset settings with the defaults.
 *
 * @example
 * settingsWith({ now: () => clock.now });
 */
export function settingsWith(overrides: Partial<MatchingSettings> = {}): MatchingSettings {
  return { ...DEFAULT_SETTINGS, ...overrides };
}

/**
 * The specialties adjacent to `specialty` (both directions of the table).
 *
 * @example
 * adjacentTo(DEFAULT_SETTINGS, 'internal-medicine'); // ['cardiology', 'endocrinology', …]
 */
export function adjacentTo(settings: Pick<MatchingSettings, 'adjacency'>, specialty: string): string[] {
  const out = new Set(settings.adjacency[specialty] ?? []);
  for (const [from, to] of Object.entries(settings.adjacency)) if (to.includes(specialty)) out.add(from);
  out.delete(specialty);
  return [...out].sort();
}

/**
 * The fee of an offer: the professional's pay for their grade and the case's urgency (a share of it for reviews).
 *
 * @example
 * feeFor(DEFAULT_SETTINGS, 'G2', 'urgent', 'opinion'); // { amount: 18000, currency: 'EUR' }
 */
export function feeFor(settings: Pick<MatchingSettings, 'fees' | 'reviewFeePercent'>, grade: Grade, urgency: Urgency, kind: 'opinion' | 'review'): Money {
  const fee = settings.fees[grade][urgency];
  return kind === 'opinion' ? { ...fee } : { amount: Math.floor((fee.amount * settings.reviewFeePercent) / 100), currency: fee.currency };
}
