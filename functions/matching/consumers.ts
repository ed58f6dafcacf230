import { randomUUID } from 'node:crypto';
import { CaseCancelledV1, CaseStatusChangedV1, CaseSubmittedV1 } from '../../events/case.ts';
import { MfaEnabledV1, ProfessionalStatusChangedV1, ProfessionalVerifiedV1, ProfileChangedV1, UserRegisteredV1 } from '../../events/identity.ts';
import { ReviewRequestedV1 } from '../../events/matching.ts';
import { OpinionApprovedV1, OpinionChangesRequestedV1, OpinionDeliveredV1, OpinionSubmittedV1 } from '../../events/opinions.ts';
import { CaseTriagedV1 } from '../../events/triage.ts';
import { on, type Subscription } from '../../shared/bus/consumer.ts';
import type { Tx } from '../../shared/db/index.ts';
import { activeAssignments, endAssignment, finishAssignment } from './assignment-queries.ts';
import type { MatchingSettings } from './config.ts';
import { gradeRank, primaryLanguages } from './eligibility.ts';
import { insertRequest, lockRequestsOfCase, nextReviewRound, setRequest } from './offer-queries.ts';
import { withdrawOffersOfPaused } from './pause.ts';
import { withdraw } from './respond.ts';
import { reviewDecided, reviewSubmitted } from './review-rounds.ts';
import { openNextTier } from './tiers.ts';
import * as views from './view-queries.ts';

/**
 * Stops every search of a cancelled case: open offers withdrawn, any active assignment ended, nothing offered again.
 *
 * @example
 * await stopCase(tx, caseId, now);
 */
export async function stopCase(tx: Tx, caseId: string, now: Date): Promise<void> {
  for (const request of await lockRequestsOfCase(tx, caseId)) {
    if (request.state === 'cancelled' || request.state === 'done') continue;
    await withdraw(tx, request.id, 'cancelled', now);
    await setRequest(tx, request.id, { state: 'cancelled', now });
  }
  for (const a of await activeAssignments(tx, caseId)) await endAssignment(tx, a.id, 'cancelled', now);
}

/**
 * Every event matching consumes: identity's and cases' facts for its views (a professional leaving `active` loses
 * their open offers), triage (open the search), review requests from opinions, and opinions' progress (the deadline
 * stops: the opinion submitted, a review round decided; it starts again when the author resubmits after changes were
 * requested: review-rounds.ts). The handlers that decide about a case from several rows
 * (triage, review request, cancellation, review rounds) first take the case's lock (`lockCase`): they run on separate consumers.
 *
 * @example
 * defineFunction({ name: 'matching', events: matchingConsumers(settings) });
 */
export function matchingConsumers(settings: MatchingSettings): Subscription[] {
  return [
    on(UserRegisteredV1, async (tx, { data }) => {
      if (data.role === 'patient') await views.upsertPatient(tx, { id: data.userId, country: data.country, languages: primaryLanguages([data.locale]) });
    }),
    on(ProfileChangedV1, async (tx, { data }) => {
      await views.upsertPatient(tx, { id: data.userId, country: data.country, languages: primaryLanguages([data.locale]) });
    }),
    on(ProfessionalVerifiedV1, async (tx, { data }) => {
      await views.upsertVerified(tx, {
        id: data.professionalId, grade: data.grade, gradeRank: gradeRank(data.grade), specialties: data.specialties,
        languages: primaryLanguages(data.languages), licenseCountry: data.licenseCountry,
      });
    }),
    on(ProfessionalStatusChangedV1, async (tx, { data }) => {
      await views.setProfessionalStatus(tx, data.professionalId, data.to);
      if (data.to !== 'active') await withdrawOffersOfPaused(tx, settings, [data.professionalId], settings.now());
    }),
    on(MfaEnabledV1, async (tx, { data }) => views.setMfa(tx, data.userId)),
    on(CaseSubmittedV1, async (tx, { data }) => {
      await views.upsertSubmittedCase(tx, {
        id: data.caseId, ownerId: data.ownerId, preferredProfessionalId: data.preferredProfessionalId ?? null,
        patientCountry: data.patientCountry ?? null, patientLanguages: primaryLanguages(data.patientLanguages),
        priceAmount: data.price.amount, priceCurrency: data.price.currency,
      });
    }),
    on(CaseStatusChangedV1, async (tx, { data }) => {
      await views.lockCase(tx, data.caseId);
      await views.setCaseStatus(tx, data.caseId, data.to);
      if (data.to === 'cancelled' || data.to === 'refunded') await stopCase(tx, data.caseId, settings.now());
    }),
    on(CaseCancelledV1, async (tx, { data }) => {
      await views.lockCase(tx, data.caseId);
      await views.setCaseStatus(tx, data.caseId, 'cancelled');
      await stopCase(tx, data.caseId, settings.now());
    }),
    on(CaseTriagedV1, async (tx, { data }) => {
      await views.lockCase(tx, data.caseId);
      const view = await views.upsertTriagedCase(tx, {
        id: data.caseId, specialty: data.specialty, urgency: data.urgency, minGrade: data.minGrade, summary: data.summary, disagreement: data.disagreement,
      });
      if (view.cancelled) return;
      const request = await insertRequest(tx, {
        id: randomUUID(), caseId: data.caseId, kind: 'opinion', round: 1, specialty: data.specialty, minGrade: data.minGrade,
        urgency: data.urgency, excludeIds: [], now: settings.now(),
      });
      if (request) await openNextTier(tx, settings, request);
    }),
    on(ReviewRequestedV1, async (tx, { data }) => {
      await views.lockCase(tx, data.caseId);
      const view = await views.findCaseView(tx, data.caseId);
      if (view?.cancelled) return;
      const request = await insertRequest(tx, {
        id: randomUUID(), caseId: data.caseId, kind: 'review', round: data.round ?? (await nextReviewRound(tx, data.caseId)), specialty: data.specialty,
        minGrade: data.minGrade, urgency: data.urgency ?? view?.urgency ?? 'standard', excludeIds: data.excludeProfessionalIds, now: settings.now(),
      });
      if (request) await openNextTier(tx, settings, request);
    }),
    on(OpinionSubmittedV1, async (tx, { data }) => {
      // The case first, then its searches and assignments: the order a cancellation takes them in.
      await views.lockCase(tx, data.caseId);
      await finishAssignment(tx, { caseId: data.caseId, kind: 'opinion', professionalId: data.authorId, now: settings.now() });
      // An event without round was written before opinions sent it (still in an outbox or in flight): only then is the
      // round counted from the submissions seen, which a lost, repeated or reordered event would throw off.
      if (data.peerReview) await reviewSubmitted(tx, settings, { caseId: data.caseId, opinionId: data.opinionId, round: data.round });
    }),
    // The reviewer's work on a round is done at their decision; an approval's signature may come after the deadline.
    on(OpinionApprovedV1, async (tx, { data }) => {
      await reviewDecided(tx, settings, { caseId: data.caseId, opinionId: data.opinionId, reviewerId: data.reviewerId, round: data.round, approved: true });
    }),
    on(OpinionChangesRequestedV1, async (tx, { data }) => {
      await reviewDecided(tx, settings, { caseId: data.caseId, opinionId: data.opinionId, reviewerId: data.reviewerId, round: data.round, approved: false });
    }),
    on(OpinionDeliveredV1, async (tx, { data }) => {
      const now = settings.now();
      await finishAssignment(tx, { caseId: data.caseId, kind: 'opinion', professionalId: data.authorId, now });
      if (data.reviewerId) await finishAssignment(tx, { caseId: data.caseId, kind: 'review', professionalId: data.reviewerId, now });
    }),
  ];
}
