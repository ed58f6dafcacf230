import * as v from 'valibot';
import { defineEvent, type EventData } from './envelope.ts';
import { Grade, Instant, Urgency } from './vocabulary.ts';

// Opinion events carry ids, grades and hashes only: never the opinion's text.

export const OpinionStartedV1 = defineEvent(
  'opinion.started.v1',
  'The assigned professional saved the first draft of the opinion: the case is being reviewed.',
  v.object({ caseId: v.string(), opinionId: v.string(), authorId: v.string() }),
);

export const OpinionSubmittedV1 = defineEvent(
  'opinion.submitted.v1',
  'The author submitted the opinion; peerReview says whether a senior peer must approve it before it is signed. round is the review round the submission opens: 1 for the first, one more for each resubmission after changes were requested (the round of the review decision that answers it).',
  v.object({
    caseId: v.string(),
    opinionId: v.string(),
    authorId: v.string(),
    peerReview: v.boolean(),
    /** Optional only for events written before the field existed (in flight, in an outbox): opinions always sends it now. */
    round: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  }),
);

/**
 * opinion.submitted.v1 as opinions emits it: `round` is required of the producer while consumers still accept events
 * without it.
 *
 * @example
 * const data: OpinionSubmission = { caseId, opinionId, authorId, peerReview, round: opinion.reviewRound + 1 };
 * await emit(tx, OpinionSubmittedV1, { source: 'opinions', subject: caseId, data });
 */
export type OpinionSubmission = EventData<typeof OpinionSubmittedV1> & { round: number };

export const OpinionChangesRequestedV1 = defineEvent(
  'opinion.changes-requested.v1',
  'The reviewer sent the opinion back to its author for changes (one review round).',
  v.object({ caseId: v.string(), opinionId: v.string(), reviewerId: v.string(), round: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
);

export const OpinionDeliveredV1 = defineEvent(
  'opinion.delivered.v1',
  'The author signed the opinion and it was delivered to the patient; pay and revenue recognition follow from it.',
  v.object({
    caseId: v.string(),
    opinionId: v.string(),
    ownerId: v.string(),
    authorId: v.string(),
    authorGrade: Grade,
    reviewerId: v.nullable(v.string()),
    reviewerGrade: v.nullable(Grade),
    specialty: v.string(),
    urgency: Urgency,
    contentHash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    signedAt: Instant,
    followUpUntil: Instant,
  }),
);

export const FollowUpEndedV1 = defineEvent(
  'opinion.follow-up-ended.v1',
  'The follow-up window of a delivered case ended (time ran out or every follow-up was used and answered): the case closes.',
  v.object({ caseId: v.string(), opinionId: v.string() }),
);

// Added by the opinions function (issue 8): review decisions, follow-ups, share links, the audit of reads.
// (The review request itself is matching's review.requested.v1.)

export const OpinionReviewerAssignedV1 = defineEvent(
  'opinion.reviewer-assigned.v1',
  'Ops chose the reviewer of an opinion by hand (no review offer found one).',
  v.object({ caseId: v.string(), opinionId: v.nullable(v.string()), reviewerId: v.string(), assignedBy: v.string() }),
);

export const OpinionApprovedV1 = defineEvent(
  'opinion.approved.v1',
  'The reviewer approved the opinion in review round `round`; the author may now sign it.',
  v.object({ caseId: v.string(), opinionId: v.string(), reviewerId: v.string(), round: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
);

export const FollowUpAskedV1 = defineEvent(
  'opinion.follow-up-asked.v1',
  'The patient asked follow-up question number seq (1 to 3) about a delivered opinion; the author is to answer it.',
  v.object({ caseId: v.string(), followUpId: v.string(), ownerId: v.string(), authorId: v.string(), seq: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3)) }),
);

export const FollowUpAnsweredV1 = defineEvent(
  'opinion.follow-up-answered.v1',
  'The author answered a follow-up question with a signed addendum (identified by its content hash).',
  v.object({
    caseId: v.string(),
    followUpId: v.string(),
    ownerId: v.string(),
    authorId: v.string(),
    contentHash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  }),
);

export const ShareLinkCreatedV1 = defineEvent(
  'opinion.share-link.created.v1',
  'The patient created an expiring link to their signed opinion for their treating physician.',
  v.object({ caseId: v.string(), linkId: v.string(), ownerId: v.string(), expiresAt: Instant }),
);

export const ShareLinkUsedV1 = defineEvent(
  'opinion.share-link.used.v1',
  'Someone opened a share link to a signed opinion (every use is audited).',
  v.object({ caseId: v.string(), linkId: v.string(), ownerId: v.string(), format: v.picklist(['json', 'pdf']) }),
);

export const OpinionReadV1 = defineEvent(
  'opinion.read.v1',
  'Someone read a case\'s opinion: the signed opinion, its PDF report, the working draft or its versions. The audit trail of health-data access.',
  v.object({
    caseId: v.string(),
    actorId: v.string(),
    actorRole: v.picklist(['patient', 'professional', 'ops']),
    what: v.picklist(['opinion', 'pdf', 'draft', 'versions']),
  }),
);
