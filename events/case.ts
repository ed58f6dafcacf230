import * as v from 'valibot';
import { defineEvent } from './envelope.ts';

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
  v.object({ caseId: v.string(), ownerId: v.string(), specialty: v.optional(v.string()), urgency: v.picklist(['standard', 'urgent']) }),
);

export const CaseCancelledV1 = defineEvent(
  'case.cancelled.v1',
  'A case was cancelled by its owner or by ops; from is the status it left (money taken before is refunded).',
  v.object({ caseId: v.string(), from: CaseStatus }),
);
