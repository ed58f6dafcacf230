import { AssignmentRevokedV1, OfferAcceptedV1, ReviewRevokedV1 } from '../../events/matching.ts';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { ConsentChangedV1, ProfessionalStatusChangedV1, ProfessionalVerifiedV1 } from '../../events/identity.ts';
import { CaseTriagedV1 } from '../../events/triage.ts';
import { on, type Subscription } from '../../shared/bus/consumer.ts';
import { archiveOpinionsNotBy, archiveOpinionsOf } from './queries.ts';
import { clearAuthor, clearReviewer, mergeCase, setProfessionalStatus, upsertConsent, upsertProfessional } from './view-queries.ts';

/**
 * The events the opinions function consumes, each kept in its own view (never another schema read). Idempotency
 * comes from the bus (one `bus.processed` row per event); every handler is also safe to apply twice.
 *
 * - case.submitted.v1 → owner, specialty asked for, urgency, how many questions the opinion must answer
 * - case.triaged.v1 → the specialty and urgency triage settled on, AI disagreement (a peer review rule)
 * - offer.accepted.v1 → kind opinion: the author (and whether matching requires peer review); kind review: the reviewer
 * - assignment.revoked.v1 → the author lost the case: their draft is archived, the next author starts fresh
 * - review.revoked.v1 → the reviewer lost the review (deadline missed): their review is no longer accepted
 * - identity.professional.verified.v1 / status-changed.v1 → grades and specialties (for review rules and signing)
 * - consent.changed.v1 → whether the patient lets the opinion be shared with their treating physician
 *
 * @example
 * defineFunction({ name: 'opinions', events: opinionSubscriptions, … });
 */
export const opinionSubscriptions: Subscription[] = [
  on(CaseSubmittedV1, async (tx, { data }) => {
    await mergeCase(tx, data.caseId, {
      ownerId: data.ownerId,
      urgency: data.urgency,
      questionCount: data.questionCount,
      ...(data.specialty ? { specialty: data.specialty } : {}),
    });
  }),
  on(CaseTriagedV1, async (tx, { data }) => {
    await mergeCase(tx, data.caseId, { specialty: data.specialty, urgency: data.urgency, disagreement: data.disagreement });
  }),
  on(OfferAcceptedV1, async (tx, { data }) => {
    if (data.kind === 'opinion') {
      await archiveOpinionsNotBy(tx, data.caseId, data.professionalId);
      await mergeCase(tx, data.caseId, { authorId: data.professionalId, peerReviewRequired: data.peerReviewRequired });
    } else {
      await mergeCase(tx, data.caseId, { reviewerId: data.professionalId });
    }
  }),
  on(AssignmentRevokedV1, async (tx, { data }) => {
    await archiveOpinionsOf(tx, data.caseId, data.professionalId);
    await clearAuthor(tx, data.caseId, data.professionalId);
  }),
  on(ReviewRevokedV1, async (tx, { data }) => {
    await clearReviewer(tx, data.caseId, data.professionalId);
  }),
  on(ProfessionalVerifiedV1, async (tx, { data }) => {
    await upsertProfessional(tx, { professionalId: data.professionalId, grade: data.grade, specialties: data.specialties });
  }),
  on(ProfessionalStatusChangedV1, async (tx, { data }) => {
    await setProfessionalStatus(tx, data.professionalId, data.to);
  }),
  on(ConsentChangedV1, async (tx, { data }) => {
    await upsertConsent(tx, { userId: data.userId, purpose: data.purpose, granted: data.granted });
  }),
];
