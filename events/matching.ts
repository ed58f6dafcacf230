import * as v from 'valibot';
import { defineEvent } from './envelope.ts';
import { Grade, Instant, Urgency } from './vocabulary.ts';

// Matching's events carry ids, codes and times only.

/** An offer to write the opinion, or to review someone else's. */
export const OfferKind = v.picklist(['opinion', 'review']);

export const OfferAcceptedV1 = defineEvent(
  'offer.accepted.v1',
  'Exactly one professional won an offer. For kind opinion the case is assigned to them, due by opinionDueAt; for kind review they review its opinion.',
  v.object({
    offerId: v.string(),
    caseId: v.string(),
    professionalId: v.string(),
    kind: OfferKind,
    tier: v.pipe(v.number(), v.integer(), v.minValue(0)),
    /** Tier 3 (adjacent specialty or one grade lower) makes peer review mandatory. */
    peerReviewRequired: v.boolean(),
    opinionDueAt: Instant,
  }),
);

export const AssignmentRevokedV1 = defineEvent(
  'assignment.revoked.v1',
  'An assigned professional lost a case (missed the opinion deadline, or ops took it back); it is offered again without them.',
  v.object({ caseId: v.string(), professionalId: v.string(), reason: v.picklist(['deadline-missed', 'ops']) }),
);

/**
 * The opinions function asks matching to find a senior peer to review an opinion. Emit it (source 'opinions',
 * subject caseId) when an opinion goes to peer review. Matching offers the review (kind 'review') to active,
 * verified, MFA-enabled professionals of `specialty` whose grade is at least `minGrade` (pass one grade above the
 * author's: a senior), excluding `excludeProfessionalIds` (at least the author). The winner is announced with
 * offer.accepted.v1 {kind: 'review', tier: 0, peerReviewRequired: true, opinionDueAt: the review deadline}.
 * When nobody accepts, matching.case.rescue-needed.v1 {kind: 'review'} follows and ops assign a reviewer by hand.
 * Idempotent per caseId + round: a second request for the same round is ignored.
 */
export const ReviewRequestedV1 = defineEvent(
  'review.requested.v1',
  'Opinions asks matching for a senior peer reviewer of a case\'s opinion (specialty, minimum grade, professionals to exclude such as the author); the winner gets offer.accepted.v1 with kind review.',
  v.object({
    caseId: v.string(),
    specialty: v.string(),
    minGrade: Grade,
    urgency: v.optional(Urgency),
    /** The review round (1 for the first request); a repeated round is ignored. */
    round: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    excludeProfessionalIds: v.array(v.string()),
  }),
);

export const OfferCreatedV1 = defineEvent(
  'offer.created.v1',
  'A professional was offered a case (to write its opinion) or a review; they may accept until expiresAt. For notifications.',
  v.object({
    offerId: v.string(),
    caseId: v.string(),
    professionalId: v.string(),
    kind: OfferKind,
    tier: v.pipe(v.number(), v.integer(), v.minValue(0)),
    urgency: Urgency,
    expiresAt: Instant,
  }),
);

export const OfferExpiredV1 = defineEvent(
  'offer.expired.v1',
  'An offer ran out unanswered ("you snooze, you lose"); the case widens to the next tier. For notifications.',
  v.object({ offerId: v.string(), caseId: v.string(), professionalId: v.string(), kind: OfferKind, tier: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
);

export const OfferDeclinedV1 = defineEvent(
  'offer.declined.v1',
  'A professional declined an offer; they are never offered this case again.',
  v.object({ offerId: v.string(), caseId: v.string(), professionalId: v.string(), kind: OfferKind }),
);

export const OfferWithdrawnV1 = defineEvent(
  'offer.withdrawn.v1',
  'An open offer was withdrawn because someone else accepted the case or the case was cancelled.',
  v.object({ offerId: v.string(), caseId: v.string(), professionalId: v.string(), reason: v.picklist(['taken', 'cancelled']) }),
);

export const CaseRescueNeededV1 = defineEvent(
  'matching.case.rescue-needed.v1',
  'Every offer tier was tried and nobody accepted: the case (or its review) waits in the ops rescue queue.',
  v.object({ caseId: v.string(), kind: OfferKind, specialty: v.string(), urgency: Urgency }),
);

export const ProfessionalPausedV1 = defineEvent(
  'matching.professional.paused.v1',
  'A professional let several offers in a row expire and receives no offers until they resume (POST /v1/offers/resume).',
  v.object({ professionalId: v.string(), expiredInARow: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
);

export const ProfessionalResumedV1 = defineEvent(
  'matching.professional.resumed.v1',
  'A professional paused by matching resumed and receives offers again.',
  v.object({ professionalId: v.string() }),
);

export const ReviewRevokedV1 = defineEvent(
  'review.revoked.v1',
  'A reviewer who accepted a review did not complete it by its deadline (or ops took it back); the review is offered again without them and their review must no longer be accepted.',
  v.object({
    caseId: v.string(),
    professionalId: v.string(),
    /** The round the reviewer lost: the review.requested.v1 round for a first review, the opinion's review round (2, 3, …) for a later one. */
    round: v.pipe(v.number(), v.integer(), v.minValue(1)),
    reason: v.picklist(['deadline-missed', 'ops']),
  }),
);
