import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EventDefinition, EventData } from '../../events/envelope.ts';
import { AssignmentRevokedV1, OfferAcceptedV1 } from '../../events/matching.ts';
import { FollowUpEndedV1, OpinionChangesRequestedV1, OpinionDeliveredV1, OpinionStartedV1, OpinionSubmittedV1 } from '../../events/opinions.ts';
import { PaymentCapturedV1, PaymentRefundedV1 } from '../../events/payments.ts';
import { CaseTriagedV1 } from '../../events/triage.ts';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { uniqueName } from '../../test/support/names.ts';
import { moveOnEvent } from './consumers.ts';
import { caseEvents, casesRuntime, reachesStatus, reportFact, submittedCase, type Client } from './testing.ts';

const source = uniqueName('facts');
const json = async <T>(res: Response) => (await res.json()) as T;

/** Reports a fact as the function that owns it would: through the outbox, from this file's source. */
const report = <D extends EventDefinition>(definition: D, data: EventData<D>) => reportFact(source, definition, data);

describe('cases moved by other functions', () => {
  let harness: Awaited<ReturnType<typeof casesRuntime>>;
  let api: Client;
  before(async () => {
    harness = await casesRuntime({ sources: [source] });
    api = harness.api;
  });
  after(async () => {
    await harness?.close();
    await closeDb();
  });

  const reaches = (caseId: string, token: string, status: string) => reachesStatus(api, caseId, token, status);

  it('follows a case through all five stages, one timeline row and one status event per move', async () => {
    const { caseId, token, ownerId } = await submittedCase(api);
    const professionalId = randomUUID();
    await report(PaymentCapturedV1, { paymentId: 'p1', caseId, ownerId, gateway: 'sandbox', amount: { amount: 29000, currency: 'EUR' } });
    await reaches(caseId, token, 'triage');
    await report(CaseTriagedV1, { caseId, specialty: 'endocrinology', urgency: 'standard', minGrade: 'G2', summary: 'nodule', source: 'built-in', disagreement: false, redFlags: [] });
    await reaches(caseId, token, 'matching');
    const due = new Date(Date.now() + 72 * 3600_000).toISOString();
    await report(OfferAcceptedV1, { offerId: 'o1', caseId, professionalId, kind: 'opinion', tier: 1, peerReviewRequired: false, opinionDueAt: due });
    await reaches(caseId, token, 'assigned');
    await report(OfferAcceptedV1, { offerId: 'o2', caseId, professionalId: 'reviewer-1', kind: 'review', tier: 1, peerReviewRequired: false, opinionDueAt: due });
    await report(OpinionStartedV1, { caseId, opinionId: 'op1', authorId: professionalId });
    await reaches(caseId, token, 'in_review');
    await report(OpinionSubmittedV1, { caseId, opinionId: 'op1', authorId: professionalId, peerReview: true });
    await reaches(caseId, token, 'peer_review');
    await report(OpinionChangesRequestedV1, { caseId, opinionId: 'op1', reviewerId: 'reviewer-1', round: 1 });
    await reaches(caseId, token, 'in_review');
    await report(OpinionDeliveredV1, {
      caseId, opinionId: 'op1', ownerId, authorId: professionalId, authorGrade: 'G3', reviewerId: 'reviewer-1', reviewerGrade: 'G4',
      specialty: 'endocrinology', urgency: 'standard', contentHash: 'a'.repeat(64), signedAt: new Date().toISOString(), followUpUntil: due,
    });
    await reaches(caseId, token, 'delivered');
    await report(FollowUpEndedV1, { caseId, opinionId: 'op1' });
    await reaches(caseId, token, 'closed');

    const view = await json<{ timeline: { status: string; note?: string }[]; specialty: string; assignedProfessionalId: string; deadlines: { opinionDueAt: string } }>(
      await api.get(`/v1/cases/${caseId}`, token),
    );
    const path = ['draft', 'awaiting_payment', 'triage', 'matching', 'assigned', 'in_review', 'peer_review', 'in_review', 'delivered', 'closed'];
    assert.deepEqual(view.timeline.map((t) => t.status), path);
    assert.equal(view.timeline[7]!.note, 'review round 1');
    assert.equal(view.specialty, 'endocrinology', 'triage filled the specialty the patient left open');
    assert.equal(view.assignedProfessionalId, professionalId);
    assert.equal(view.deadlines.opinionDueAt, due);
    const moves = (await caseEvents(caseId)).filter((e) => e.type === 'case.status-changed.v1').map((e) => e.data.to);
    assert.deepEqual(moves, path.slice(1));
    const [row] = await db()<{ reviewerId: string }[]>`select reviewer_id from cases.cases where id = ${caseId}`;
    assert.equal(row!.reviewerId, 'reviewer-1');
  });

  it('takes a case back from a professional who missed the deadline, and ignores a revocation for someone else', async () => {
    const { caseId, token, ownerId } = await submittedCase(api);
    await report(PaymentCapturedV1, { paymentId: 'p', caseId, ownerId, gateway: 'sandbox', amount: { amount: 1, currency: 'EUR' } });
    await report(CaseTriagedV1, { caseId, specialty: 'cardiology', urgency: 'urgent', minGrade: 'G2', summary: '', source: 'none', disagreement: false, redFlags: [] });
    await report(OfferAcceptedV1, { offerId: 'o', caseId, professionalId: 'late', kind: 'opinion', tier: 0, peerReviewRequired: false, opinionDueAt: new Date().toISOString() });
    await reaches(caseId, token, 'assigned');
    await report(AssignmentRevokedV1, { caseId, professionalId: 'not-them', reason: 'ops' });
    await report(AssignmentRevokedV1, { caseId, professionalId: 'late', reason: 'deadline-missed' });
    await reaches(caseId, token, 'matching');
    const view = await json<{ assignedProfessionalId: string | null; timeline: { status: string; note?: string }[] }>(await api.get(`/v1/cases/${caseId}`, token));
    assert.equal(view.assignedProfessionalId, null);
    assert.equal(view.timeline.at(-1)!.note, 'opinion deadline missed');
    assert.equal(view.timeline.filter((t) => t.status === 'matching').length, 2);
  });

  it('refunds a cancelled case on a full refund, and leaves a live case alone on a partial one', async () => {
    const cancelled = await submittedCase(api);
    assert.equal((await api.post(`/v1/cases/${cancelled.caseId}/cancel`, undefined, cancelled.token)).status, 200);
    await report(PaymentRefundedV1, { paymentId: 'p', caseId: cancelled.caseId, refundId: 'r', amount: { amount: 100, currency: 'EUR' }, full: true });
    await reaches(cancelled.caseId, cancelled.token, 'refunded');

    const live = await submittedCase(api);
    await report(PaymentRefundedV1, { paymentId: 'p', caseId: live.caseId, refundId: 'r', amount: { amount: 100, currency: 'EUR' }, full: false });
    await report(PaymentCapturedV1, { paymentId: 'p', caseId: live.caseId, ownerId: live.ownerId, gateway: 'sandbox', amount: { amount: 1, currency: 'EUR' } });
    await reaches(live.caseId, live.token, 'triage');
  });

  it('waits for an earlier fact, ignores a stale or repeated one, and never moves an ended case', async () => {
    const { caseId, token } = await submittedCase(api);
    // Triaged before paid: not ready yet, so the bus must retry it later.
    await assert.rejects(transaction((tx) => moveOnEvent(tx, caseId, 'complete_triage', 'test')), /not ready/);
    assert.equal(await transaction((tx) => moveOnEvent(tx, caseId, 'confirm_payment', 'test')), true);
    assert.equal(await transaction((tx) => moveOnEvent(tx, caseId, 'confirm_payment', 'test')), false, 'a second capture changes nothing');
    assert.equal(await transaction((tx) => moveOnEvent(tx, caseId, 'submit', 'test')), false, 'a fact from the past changes nothing');
    assert.equal((await api.post(`/v1/cases/${caseId}/cancel`, undefined, token)).status, 200);
    assert.equal(await transaction((tx) => moveOnEvent(tx, caseId, 'complete_triage', 'test')), false, 'an ended case stays ended');
    await assert.rejects(transaction((tx) => moveOnEvent(tx, randomUUID(), 'assign', 'test')), /no case/);
    assert.deepEqual(
      (await json<{ timeline: { status: string }[] }>(await api.get(`/v1/cases/${caseId}`, token))).timeline.map((t) => t.status),
      ['draft', 'awaiting_payment', 'triage', 'cancelled'],
    );
  });
});
