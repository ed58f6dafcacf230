import { ReviewRequestedV1 } from '../../events/matching.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import type { OpinionsSettings } from './config.ts';
import { reviewerMinGrade } from './review-rules.ts';
import { findProfessional, type CaseView } from './view-queries.ts';

/**
 * Asks matching for a reviewer with its review.requested.v1 — the one place opinions emits it. Matching offers the
 * review to active professionals of the specialty at {@link reviewerMinGrade} or above, never the author; the winner
 * arrives as offer.accepted.v1 kind review. `round` counts this case's review requests (matching ignores a repeated
 * round, and a new author after a revocation needs a new one). Without a specialty there is nothing to match on:
 * ops choose the reviewer (POST /v1/cases/{id}/opinion/reviewer).
 *
 * @example
 * await requestReviewer(tx, view, round, settings);
 */
export async function requestReviewer(tx: Tx, view: CaseView, round: number, settings: Pick<OpinionsSettings, 'reviewBelowGrade'>): Promise<boolean> {
  if (!view.specialty || !view.authorId) return false;
  const authorGrade = (await findProfessional(tx, view.authorId))?.grade;
  await emit(tx, ReviewRequestedV1, {
    source: 'opinions',
    subject: view.caseId,
    data: {
      caseId: view.caseId,
      specialty: view.specialty,
      minGrade: reviewerMinGrade(authorGrade, settings.reviewBelowGrade),
      urgency: view.urgency,
      round,
      excludeProfessionalIds: [view.authorId],
    },
  });
  return true;
}
