import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { EarningRecordedV1, PayoutPaidV1 } from '../../events/payouts.ts';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb, transaction } from '../../shared/db/index.ts';
import { ingest } from './ingest.ts';
import { paymentSettings } from './settings.ts';
import { deliver, patientWithCase, paymentEvents, paymentsPlatform, signedInOpsWithMfa } from './testing.ts';

after(() => closeDb());

describe('fraud holds', () => {
  it('a high-risk payment is held (payment.held.v1, no capture) until ops release it', async () => {
    const platform = paymentsPlatform();
    const { patient, caseId } = await patientWithCase(platform);
    const { paymentId } = (await (await platform.api.post('/v1/payments/checkout', { caseId }, patient.token)).json()) as { paymentId: string };
    const confirmed = await platform.api.post(`/v1/payments/sandbox/${paymentId}/confirm`, { risk: 'highest' });
    assert.equal(((await confirmed.json()) as { status: string }).status, 'held');
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.held.v1']);
    assert.equal((await platform.api.post(`/v1/payments/${paymentId}/release`, undefined, patient.token)).status, 403);
    const ops = await signedInOpsWithMfa(platform.api);
    const released = await platform.api.post(`/v1/payments/${paymentId}/release`, undefined, ops.token);
    assert.equal(released.status, 200);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.held.v1', 'payment.captured.v1']);
    assert.equal((await platform.api.post(`/v1/payments/${paymentId}/release`, undefined, ops.token)).status, 409);
  });

  it('card and caller both from another country than the patient: held', async () => {
    const platform = paymentsPlatform();
    const { patient, caseId } = await patientWithCase(platform, undefined, 'DE');
    const res = await platform.app.request('/v1/payments/checkout', {
      method: 'POST', body: JSON.stringify({ caseId }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${patient.token}`, 'cf-ipcountry': 'BR', 'x-forwarded-for': '10.9.9.9' },
    });
    const { paymentId } = (await res.json()) as { paymentId: string };
    const confirmed = await platform.api.post(`/v1/payments/sandbox/${paymentId}/confirm`, { cardCountry: 'US' });
    assert.equal(((await confirmed.json()) as { status: string }).status, 'held');
    const held = (await paymentEvents(caseId))[0]!;
    assert.deepEqual(held.data.reasons, ['card-country-mismatch', 'ip-country-mismatch']);
  });
});

describe('reports (ops)', () => {
  it('revenue, deferred, VAT, payouts due and the reconciliation listing mismatches', async () => {
    const platform = paymentsPlatform();
    const ops = await signedInOpsWithMfa(platform.api);
    const { patient, caseId } = await patientWithCase(platform, { amount: 11_900, currency: 'EUR' }, 'DE');
    const { paymentId } = (await (await platform.api.post('/v1/payments/checkout', { caseId }, patient.token)).json()) as { paymentId: string };
    await platform.api.post(`/v1/payments/sandbox/${paymentId}/confirm`, {});
    const report = async (name: string) => {
      const res = await platform.api.get(`/v1/payments/reports/${name}`, ops.token);
      assert.equal(res.status, 200);
      return (await res.json()) as Record<string, any>;
    };
    const deferredBefore = (await report('deferred')).items.find((i: any) => i.currency === 'EUR')?.balance ?? 0;
    const revenueBefore = (await report('revenue')).items.filter((i: any) => i.currency === 'EUR').reduce((s: number, i: any) => s + i.revenue, 0);
    await deliver(platform.app, OpinionDeliveredV1, {
      caseId, opinionId: randomUUID(), ownerId: patient.id, authorId: 'a', authorGrade: 'G3', reviewerId: null, reviewerGrade: null,
      specialty: 'cardiology', urgency: 'standard', contentHash: 'b'.repeat(64), signedAt: new Date().toISOString(), followUpUntil: new Date().toISOString(),
    });
    // Other tests book concurrently: compare our own movements as lower bounds, never absolute totals.
    const revenueAfter = (await report('revenue')).items.filter((i: any) => i.currency === 'EUR').reduce((s: number, i: any) => s + i.revenue, 0);
    assert.ok(revenueAfter - revenueBefore >= 10_000, 'the delivered case\'s net is now revenue');
    assert.ok(Array.isArray((await report('deferred')).items));
    assert.ok(typeof deferredBefore === 'number');
    const vat = (await report('vat')).items.find((i: any) => i.country === 'DE' && i.currency === 'EUR');
    assert.ok(vat.due >= 1_900);
    const payableBefore = (await report('payouts-due')).items.find((i: any) => i.currency === 'CHF')?.due ?? 0;
    await deliver(platform.app, EarningRecordedV1, { earningId: randomUUID(), professionalId: 'p', caseId, role: 'author', grade: 'G3', urgency: 'standard', amount: { amount: 7_000, currency: 'CHF' } });
    await deliver(platform.app, PayoutPaidV1, { payoutId: randomUUID(), batchId: randomUUID(), professionalId: 'p', amount: { amount: 3_000, currency: 'CHF' } });
    const payableAfter = (await report('payouts-due')).items.find((i: any) => i.currency === 'CHF').due;
    assert.equal(payableAfter - payableBefore, 4_000);

    const ref = `pi_unknown_${randomUUID()}`;
    await transaction((tx) => ingest(tx, paymentSettings({ sandbox: true }), { gateway: 'stripe', eventKey: `evt_${randomUUID()}`, kind: 'succeeded', paymentRef: ref, amount: 500, currency: 'EUR' }));
    const { mismatches } = await report('reconciliation');
    assert.ok(mismatches.some((m: any) => m.kind === 'unmatched-gateway-event' && m.expected === 500));
    assert.ok(!mismatches.some((m: any) => m.paymentId === paymentId), 'our captured payment reconciles');

    assert.equal((await platform.api.get('/v1/payments/reports/vat', patient.token)).status, 403);
  });
});
