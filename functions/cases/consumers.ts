import { CaseTriagedV1 } from '../../events/triage.ts';
import { DocumentFailedV1, DocumentProcessedV1 } from '../../events/documents.ts';
import { ConsentChangedV1, ProfileChangedV1, UserRegisteredV1 } from '../../events/identity.ts';
import { AssignmentRevokedV1, OfferAcceptedV1 } from '../../events/matching.ts';
import { FollowUpEndedV1, OpinionChangesRequestedV1, OpinionDeliveredV1, OpinionStartedV1, OpinionSubmittedV1 } from '../../events/opinions.ts';
import { PaymentCapturedV1, PaymentRefundedV1 } from '../../events/payments.ts';
import { on, type Subscription } from '../../shared/bus/consumer.ts';
import type { Tx } from '../../shared/db/index.ts';
import { recordProcessing } from './document-queries.ts';
import { STATUSES, transition, isFinal, type CaseCommand, type CaseStatus } from './lifecycle.ts';
import { applyMove } from './move.ts';
import { findCase } from './queries.ts';
import { upsertConsent, upsertPatient } from './view-queries.ts';

/** How far along the main path a status is; a side trip back (take-back, changes requested) is a command, not a rank. */
const RANK = Object.fromEntries(STATUSES.map((status, index) => [status, index])) as Record<CaseStatus, number>;

/**
 * Moves a case because another function reported a fact. Events may arrive twice or out of order: a case that has
 * already ended, or is already at or past where the command leads, is left as it is; a case not there yet (an
 * earlier event is still on its way) throws, so the bus retries this one later.
 *
 * @example
 * await moveOnEvent(tx, caseId, 'confirm_payment', 'payment.captured.v1');
 */
export async function moveOnEvent(tx: Tx, caseId: string, command: CaseCommand, cause: string, note: string | null = null): Promise<boolean> {
  const row = await findCase(tx, caseId, { forUpdate: true });
  if (!row) throw new Error(`${cause}: no case ${caseId} (yet)`);
  const move = transition(row.status, command);
  if (move.ok) {
    await applyMove(tx, row, command, { cause, note });
    return true;
  }
  if (isFinal(row.status)) return false;
  const target = COMMAND_TARGET[command];
  if (RANK[row.status] >= RANK[target]) return false;
  throw new Error(`${cause}: case ${caseId} is ${row.status}, not ready for ${command} yet`);
}

const COMMAND_TARGET: Record<CaseCommand, CaseStatus> = {
  submit: 'awaiting_payment',
  confirm_payment: 'triage',
  complete_triage: 'matching',
  assign: 'assigned',
  start_opinion: 'in_review',
  request_peer_review: 'peer_review',
  request_changes: 'in_review',
  deliver: 'delivered',
  take_back: 'matching',
  close: 'closed',
  cancel: 'cancelled',
  refund: 'refunded',
};

/**
 * Every event cases consumes: the facts that move a case, and the views it keeps (consents, patients, documents).
 *
 * @example
 * defineFunction({ name: 'cases', routes, events: caseSubscriptions });
 */
export const caseSubscriptions: Subscription[] = [
  on(ConsentChangedV1, async (tx, event) => {
    const { userId, purpose, granted, version } = event.data;
    await upsertConsent(tx, { userId, purpose, granted, version, changedAt: new Date(event.time) });
  }),
  on(UserRegisteredV1, async (tx, event) => {
    if (event.data.role !== 'patient') return;
    await upsertPatient(tx, { userId: event.data.userId, country: event.data.country, locale: event.data.locale, changedAt: new Date(event.time) });
  }),
  on(ProfileChangedV1, async (tx, event) => {
    await upsertPatient(tx, { userId: event.data.userId, country: event.data.country, locale: event.data.locale, changedAt: new Date(event.time) });
  }),
  on(DocumentProcessedV1, async (tx, event) => {
    const { documentId, pages, characters, language } = event.data;
    await recordProcessing(tx, documentId, { status: 'processed', pages, characters, language, failureReason: null });
  }),
  on(DocumentFailedV1, async (tx, event) => {
    await recordProcessing(tx, event.data.documentId, { status: 'failed', pages: null, characters: null, language: null, failureReason: event.data.reason });
  }),
  on(PaymentCapturedV1, async (tx, event) => {
    if (await moveOnEvent(tx, event.data.caseId, 'confirm_payment', event.type)) {
      await tx`update cases.cases set paid_at = ${new Date(event.time)} where id = ${event.data.caseId}`;
    }
  }),
  on(PaymentRefundedV1, async (tx, event) => {
    const row = await findCase(tx, event.data.caseId);
    // A partial refund (a dispute, a goodwill gesture) does not end a case; a full one ends a cancelled case.
    if (row?.status === 'cancelled' && event.data.full) await moveOnEvent(tx, row.id, 'refund', event.type);
  }),
  on(CaseTriagedV1, async (tx, event) => {
    if (await moveOnEvent(tx, event.data.caseId, 'complete_triage', event.type)) {
      await tx`update cases.cases set specialty = coalesce(specialty, ${event.data.specialty}), urgency = ${event.data.urgency} where id = ${event.data.caseId}`;
    }
  }),
  on(OfferAcceptedV1, async (tx, event) => {
    const { caseId, professionalId, kind, opinionDueAt } = event.data;
    if (kind === 'review') {
      await tx`update cases.cases set reviewer_id = ${professionalId}, updated_at = now() where id = ${caseId}`;
      return;
    }
    if (await moveOnEvent(tx, caseId, 'assign', event.type)) {
      await tx`update cases.cases set assigned_professional_id = ${professionalId}, opinion_due_at = ${opinionDueAt} where id = ${caseId}`;
    }
  }),
  on(AssignmentRevokedV1, async (tx, event) => {
    const row = await findCase(tx, event.data.caseId, { forUpdate: true });
    if (row?.assignedProfessionalId !== event.data.professionalId) return;
    if (await moveOnEvent(tx, row.id, 'take_back', event.type, event.data.reason === 'deadline-missed' ? 'opinion deadline missed' : 'taken back by ops')) {
      await tx`update cases.cases set assigned_professional_id = null, reviewer_id = null, opinion_due_at = null where id = ${row.id}`;
    }
  }),
  on(OpinionStartedV1, (tx, event) => moveOnEvent(tx, event.data.caseId, 'start_opinion', event.type).then(() => undefined)),
  on(OpinionSubmittedV1, async (tx, event) => {
    if (event.data.peerReview) await moveOnEvent(tx, event.data.caseId, 'request_peer_review', event.type);
  }),
  on(OpinionChangesRequestedV1, (tx, event) => moveOnEvent(tx, event.data.caseId, 'request_changes', event.type, `review round ${event.data.round}`).then(() => undefined)),
  on(OpinionDeliveredV1, (tx, event) => moveOnEvent(tx, event.data.caseId, 'deliver', event.type).then(() => undefined)),
  on(FollowUpEndedV1, (tx, event) => moveOnEvent(tx, event.data.caseId, 'close', event.type).then(() => undefined)),
];
