import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { ProfessionalVerifiedV1 } from '../../events/identity.ts';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { createPayouts } from './app.ts';
import { DEFAULT_RATES, feeFor } from './rates.ts';
import { delivered, deliver, payoutEvents } from './testing.ts';

const earningsOf = (caseId: string) =>
  db()<{ professionalId: string; role: string; grade: string; amount: string; currency: string; earnedAt: Date }[]>`
    select professional_id, role, grade, amount::text, currency, earned_at from payouts.earnings where case_id = ${caseId} order by role`;

describe('earnings from opinion.delivered.v1', () => {
  after(() => closeDb());
  const payouts = createPayouts();

  it('pays the author from the rate table by grade × urgency, dated at signing, and emits earning.recorded.v1', async () => {
    for (const [grade, urgency] of [['G1', 'standard'], ['G4', 'urgent'], ['G3', 'standard']] as const) {
      const data = delivered({ authorGrade: grade, urgency, signedAt: '2026-11-03T10:00:00.000Z' });
      const res = await deliver(payouts, OpinionDeliveredV1, data);
      assert.equal(res.status, 200, await res.clone().text());
      const fee = feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'author', grade, urgency });
      const rows = await earningsOf(data.caseId);
      assert.deepEqual(rows.map((r) => ({ ...r, amount: Number(r.amount) })), [
        { professionalId: data.authorId, role: 'author', grade, amount: fee.amount, currency: 'EUR', earnedAt: new Date(data.signedAt) },
      ]);
      const events = await payoutEvents('earning.recorded.v1', data.authorId);
      assert.equal(events.length, 1);
      assert.deepEqual({ ...events[0]!.data, earningId: undefined }, { earningId: undefined, professionalId: data.authorId, caseId: data.caseId, role: 'author', grade, urgency, amount: fee });
    }
  });

  it('a redelivered event, and the same case delivered again under another event id, record one earning', async () => {
    const data = delivered({ authorGrade: 'G2', urgency: 'urgent' });
    const id = randomUUID();
    assert.equal(((await (await deliver(payouts, OpinionDeliveredV1, data, id)).json()) as { status: string }).status, 'processed');
    assert.equal(((await (await deliver(payouts, OpinionDeliveredV1, data, id)).json()) as { status: string }).status, 'duplicate');
    assert.equal((await deliver(payouts, OpinionDeliveredV1, data)).status, 200);
    // Two different event ids at once: the unique (case, professional, role) key lets one in.
    await Promise.all([deliver(payouts, OpinionDeliveredV1, data), deliver(payouts, OpinionDeliveredV1, data)]);
    assert.equal((await earningsOf(data.caseId)).length, 1);
    assert.equal((await payoutEvents('earning.recorded.v1', data.authorId)).length, 1);
  });

  it('pays the peer reviewer a reviewer fee by their grade, besides the author', async () => {
    const data = delivered({ authorGrade: 'G2', urgency: 'standard', reviewerId: randomUUID(), reviewerGrade: 'G4' });
    assert.equal((await deliver(payouts, OpinionDeliveredV1, data)).status, 200);
    const rows = await earningsOf(data.caseId);
    assert.deepEqual(rows.map((r) => [r.role, r.professionalId, r.grade, Number(r.amount)]), [
      ['author', data.authorId, 'G2', feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'author', grade: 'G2', urgency: 'standard' }).amount],
      ['reviewer', data.reviewerId, 'G4', feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'reviewer', grade: 'G4', urgency: 'standard' }).amount],
    ]);
    const reviewerEvents = await payoutEvents('earning.recorded.v1', data.reviewerId!);
    assert.equal(reviewerEvents.length, 1);
    assert.equal(reviewerEvents[0]!.data.role, 'reviewer');
  });

  it("a reviewer's grade missing from the event comes from identity's verification; unknown → nothing recorded, retried", async () => {
    const reviewerId = randomUUID();
    const unknown = delivered({ reviewerId, reviewerGrade: null });
    assert.equal((await deliver(payouts, OpinionDeliveredV1, unknown)).status, 500);
    assert.equal((await earningsOf(unknown.caseId)).length, 0, 'not even the author: nothing half-written');
    const verified = { professionalId: reviewerId, grade: 'G3' as const, specialties: ['cardiology'], languages: ['en'], licenseCountry: 'DE', verifiedBy: randomUUID() };
    assert.equal((await deliver(payouts, ProfessionalVerifiedV1, verified)).status, 200);
    assert.equal((await deliver(payouts, OpinionDeliveredV1, unknown)).status, 200);
    const rows = await earningsOf(unknown.caseId);
    assert.deepEqual(rows.map((r) => [r.role, r.grade]), [['author', 'G2'], ['reviewer', 'G3']]);
  });

  it('records earnings in the configured payout currency', async () => {
    const gbp = createPayouts({ currency: 'GBP' });
    const data = delivered({ authorGrade: 'G1', urgency: 'urgent' });
    assert.equal((await deliver(gbp, OpinionDeliveredV1, data)).status, 200);
    const [row] = await earningsOf(data.caseId);
    assert.equal(row!.currency, 'GBP');
    assert.equal(Number(row!.amount), feeFor(DEFAULT_RATES, { currency: 'GBP', role: 'author', grade: 'G1', urgency: 'urgent' }).amount);
  });

  it('refuses a malformed event with 400 and records nothing', async () => {
    const data = delivered();
    const res = await deliver(payouts, OpinionDeliveredV1, { ...data, authorGrade: 'G9' } as never);
    assert.equal(res.status, 400);
    assert.equal((await earningsOf(data.caseId)).length, 0);
  });
});
