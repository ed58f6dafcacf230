import * as v from 'valibot';
import { defineEvent } from './envelope.ts';
import { CountryCode, Instant, Money, Urgency } from './vocabulary.ts';

// Case events carry ids and codes only: never titles, questions or anything else a patient typed (health data).

/** Every status a case can have; the cases function's lifecycle moves between them, events name them. */
export const CASE_STATUSES = [
  'draft',
  'awaiting_payment',
  'triage',
  'matching',
  'assigned',
  'in_review',
  'peer_review',
  'delivered',
  'closed',
  'cancelled',
  'refunded',
] as const;

const CaseStatus = v.picklist(CASE_STATUSES);

export const CaseCreatedV1 = defineEvent(
  'case.created.v1',
  'A patient opened a case as a draft; specialty is the one asked for, if any.',
  v.object({ caseId: v.string(), ownerId: v.string(), specialty: v.optional(v.string()), urgency: Urgency }),
);

export const CaseCancelledV1 = defineEvent(
  'case.cancelled.v1',
  'A case was cancelled by its owner or by ops; from is the status it left (money taken before is refunded).',
  v.object({ caseId: v.string(), from: CaseStatus }),
);

export const CaseSubmittedV1 = defineEvent(
  'case.submitted.v1',
  'A patient submitted a case with its records and consent; it now awaits payment of price. Languages are the patient\'s (BCP 47), for matching.',
  v.object({
    caseId: v.string(),
    ownerId: v.string(),
    specialty: v.optional(v.string()),
    urgency: Urgency,
    price: Money,
    preferredProfessionalId: v.optional(v.string()),
    documentIds: v.array(v.string()),
    /** How many questions the patient asked (their text stays in cases); the opinion must answer each. */
    questionCount: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)),
    patientCountry: v.optional(CountryCode),
    patientLanguages: v.array(v.string()),
  }),
);

export const CaseStatusChangedV1 = defineEvent(
  'case.status-changed.v1',
  'A case moved from one status to another (one per timeline row); cause is the command or event type that moved it.',
  v.object({ caseId: v.string(), ownerId: v.string(), from: CaseStatus, to: CaseStatus, cause: v.string() }),
);

export const CaseReadV1 = defineEvent(
  'case.read.v1',
  'Someone read a case with its questions and records list (health data): the audit trail of who saw it.',
  v.object({ caseId: v.string(), actorId: v.string(), actorRole: v.picklist(['patient', 'professional', 'ops']) }),
);

export const CaseSlaBreachedV1 = defineEvent(
  'case.sla-breached.v1',
  'A paid case was not delivered by promisedBy (payment plus the turnaround of its urgency); status is the one it was in when the promise ran out. Sent once per case, while it is still open, so ops can act; ownerId is the patient, so they can be told.',
  v.object({ caseId: v.string(), ownerId: v.string(), status: CaseStatus, urgency: Urgency, promisedBy: Instant }),
);
