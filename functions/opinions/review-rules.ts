import { GRADES, meetsGrade, type Grade } from '../../shared/auth/grades.ts';

/** What decides whether an opinion goes to a senior peer before it is signed. */
export interface ReviewFacts {
  authorGrade: Grade | undefined;
  urgency: 'standard' | 'urgent';
  /** The AI readers disagreed at triage (case.triaged.v1). */
  disagreement: boolean;
  /** Matching said so (offer.accepted.v1, e.g. an adjacent specialty or one grade below). */
  peerReviewRequired: boolean;
}

export type ReviewReason = 'grade' | 'urgent' | 'disagreement' | 'matching' | 'sample';

/**
 * Decides peer review. Required when the author's grade is below `belowGrade` (or unknown), for urgent cases,
 * when triage flagged disagreement, when matching required it, and for a random quality sample (`roll < rate`).
 * Returns the reasons (empty: no review).
 *
 * @example
 * reviewReasons({ authorGrade: 'G2', urgency: 'standard', disagreement: false, peerReviewRequired: false }, { belowGrade: 'G3', rate: 0.1, roll: 0.5 });
 * // ['grade']
 */
export function reviewReasons(facts: ReviewFacts, rules: { belowGrade: Grade; rate: number; roll: number }): ReviewReason[] {
  const reasons: ReviewReason[] = [];
  if (!facts.authorGrade || !meetsGrade(facts.authorGrade, rules.belowGrade)) reasons.push('grade');
  if (facts.urgency === 'urgent') reasons.push('urgent');
  if (facts.disagreement) reasons.push('disagreement');
  if (facts.peerReviewRequired) reasons.push('matching');
  if (reasons.length === 0 && rules.roll < rules.rate) reasons.push('sample');
  return reasons;
}

/**
 * The lowest grade a reviewer may have: senior to the author (one grade above, G4 reviewing G4 at the top) and never
 * below the review threshold.
 *
 * @example
 * reviewerMinGrade('G1', 'G3'); // 'G3'
 * reviewerMinGrade('G3', 'G3'); // 'G4'
 */
export function reviewerMinGrade(authorGrade: Grade | undefined, belowGrade: Grade): Grade {
  const senior = authorGrade ? GRADES[Math.min(GRADES.indexOf(authorGrade) + 1, GRADES.length - 1)]! : belowGrade;
  return meetsGrade(senior, belowGrade) ? senior : belowGrade;
}

/**
 * Whether `reviewer` may review `author`'s opinion: an active professional of the case's specialty at or above
 * {@link reviewerMinGrade} (the caller makes sure it is not the author).
 *
 * @example
 * canReview({ grade: 'G4', specialties: ['cardiology'], status: 'active' }, { specialty: 'cardiology', authorGrade: 'G2', belowGrade: 'G3' }); // true
 */
export function canReview(
  reviewer: { grade: Grade; specialties: string[]; status: string },
  context: { specialty: string | null; authorGrade: Grade | undefined; belowGrade: Grade },
): boolean {
  if (reviewer.status !== 'active') return false;
  if (context.specialty && !reviewer.specialties.includes(context.specialty)) return false;
  return meetsGrade(reviewer.grade, reviewerMinGrade(context.authorGrade, context.belowGrade));
}
