import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { CaseCancelledV1, CaseStatusChangedV1 } from '../../events/case.ts';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { config } from '../../shared/config/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { eventually } from '../../test/support/runtime.ts';
import { refundAmount } from './refunds.ts';
import { checkout, deliver, fakeStripe, ledgerOf, patientWithCase, paymentEvents, paymentsPlatform, STRIPE_WEBHOOK_SECRET, stripeSettings } from './testing.ts';

let stripe: Awaited<ReturnType<typeof fakeStripe>>;
before(async () => {
  stripe = await fakeStripe();
});
after(async () => {
  await stripe.close();
  await closeDb();
});

const statusOf = async (id: string) => (await db()<{ status: string }[]>`select status from payments.payments where id = ${id}`)[0]!.status;

async function paidSandboxCase(platform: ReturnType<typeof paymentsPlatform>) {
  const { patient, caseId } = await patientWithCase(platform, { amount: 20_000, currency: 'EUR' }, 'DE');
  const { body } = await checkout(platform.api, patient.token, caseId);
  assert.equal((await platform.api.post(`/v1/payments/sandbox/${body.paymentId}/confirm`, {})).status, 200);
  return { patient, caseId, paymentId: body.paymentId as string };
}

describe('refunds', () => {
  it('policy: all of it before assignment, the configured share after', () => {
    const policy = { beforeAssignmentBp: 10_000, afterAssignmentBp: 5_000 };
    assert.equal(refundAmount(policy, 29_001, false), 29_001);
    assert.equal(refundAmount(policy, 29_001, true), 14_500);
  });

  it('a paid case cancelled before assignment is refunded in full once (sandbox confirms through the webhook path)', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await paidSandboxCase(platform);
    const cancel = randomUUID();
    await deliver(platform.app, CaseCancelledV1, { caseId, from: 'triage' }, cancel);
    await deliver(platform.app, CaseCancelledV1, { caseId, from: 'triage' }, cancel);
    await deliver(platform.app, CaseCancelledV1, { caseId, from: 'triage' });
    await eventually(async () => (await statusOf(paymentId)) === 'refunded', 10_000, 'the refund');
    const events = await paymentEvents(caseId);
    assert.deepEqual(events.map((e) => e.type), ['payment.captured.v1', 'payment.refunded.v1']);
    assert.deepEqual(events[1]!.data.amount, { amount: 20_000, currency: 'EUR' });
    assert.equal(events[1]!.data.full, true);
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
  });

  it('after assignment the policy share goes back', async () => {
    const platform = paymentsPlatform();
    const { patient, caseId, paymentId } = await paidSandboxCase(platform);
    await deliver(platform.app, CaseStatusChangedV1, { caseId, ownerId: patient.id, from: 'matching', to: 'assigned', cause: 'offer.accepted.v1' });
    await deliver(platform.app, CaseCancelledV1, { caseId, from: 'assigned' });
    await eventually(async () => (await statusOf(paymentId)) === 'refunded', 10_000, 'the refund');
    const refunded = (await paymentEvents(caseId)).find((e) => e.type === 'payment.refunded.v1')!;
    assert.deepEqual(refunded.data.amount, { amount: 10_000, currency: 'EUR' });
    assert.equal(refunded.data.full, false);
    const ledger = await ledgerOf(paymentId);
    assert.equal(ledger.gateway_clearing, 10_000);
  });

  it('money that arrives after the case was cancelled is refunded by the send-refunds sweep', async () => {
    const platform = paymentsPlatform();
    const { patient, caseId } = await patientWithCase(platform, { amount: 20_000, currency: 'EUR' }, 'DE');
    const { body } = await checkout(platform.api, patient.token, caseId);
    await deliver(platform.app, CaseStatusChangedV1, { caseId, ownerId: patient.id, from: 'awaiting_payment', to: 'cancelled', cause: 'case.cancel' });
    await platform.api.post(`/v1/payments/sandbox/${body.paymentId}/confirm`, {});
    assert.equal(await statusOf(body.paymentId), 'captured');
    assert.deepEqual(await paymentEvents(caseId), [], 'no payment.captured.v1 for a cancelled case');
    const tick = await platform.app.request('/_cron/send-refunds', { method: 'POST', headers: { authorization: `Bearer ${await signPlatformToken(config().platformSecret, 'payments')}` } });
    assert.equal(tick.status, 200);
    await eventually(async () => (await statusOf(body.paymentId)) === 'refunded', 10_000, 'the refund');
  });

  it('through Stripe: sent with our refund id as idempotency key, confirmed by charge.refunded', async () => {
    const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
    const { caseId } = await patientWithCase(platform, { amount: 20_000, currency: 'EUR' }, 'DE').then(async (p) => {
      const { body } = await checkout(platform.api, p.patient.token, p.caseId);
      const intentId = (body.clientSecret as string).split('_secret_')[0]!;
      await signedPost(platform, { id: `evt_${randomUUID()}`, type: 'payment_intent.succeeded', data: { object: { id: intentId, amount: 20_000, currency: 'eur', metadata: { paymentId: body.paymentId } } } });
      return { ...p, paymentId: body.paymentId as string, intentId };
    });
    const [payment] = await db()<{ id: string; gatewayRef: string }[]>`select id, gateway_ref from payments.payments where case_id = ${caseId}`;
    await deliver(platform.app, CaseCancelledV1, { caseId, from: 'matching' });
    await eventually(() => stripe.calls.some((c) => c.path === '/v1/refunds' && c.form.get('payment_intent') === payment!.gatewayRef), 10_000, 'the refund call');
    const call = stripe.calls.find((c) => c.path === '/v1/refunds' && c.form.get('payment_intent') === payment!.gatewayRef)!;
    const refundId = call.form.get('metadata[refundId]')!;
    assert.equal(call.idempotencyKey, `refund-${refundId}`);
    assert.equal(call.form.get('amount'), '20000');
    assert.equal(await statusOf(payment!.id), 'refunding');
    await signedPost(platform, {
      id: `evt_${randomUUID()}`, type: 'charge.refunded',
      data: { object: { id: 'ch_x', object: 'charge', amount: 20_000, amount_refunded: 20_000, currency: 'eur', payment_intent: payment!.gatewayRef, refunds: { data: [{ id: 're_x', metadata: { refundId } }] } } },
    });
    assert.equal(await statusOf(payment!.id), 'refunded');
    const refunded = (await paymentEvents(caseId)).filter((e) => e.type === 'payment.refunded.v1');
    assert.equal(refunded.length, 1);
    assert.equal(refunded[0]!.data.refundId, refundId);
  });
});

const webhooks = new Stripe('sk_test_unused').webhooks;
async function signedPost(platform: ReturnType<typeof paymentsPlatform>, event: Record<string, unknown>) {
  const payload = JSON.stringify({ object: 'event', created: Math.floor(Date.now() / 1000), livemode: false, ...event });
  const header = webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET });
  const res = await platform.app.request('/v1/webhooks/stripe', { method: 'POST', headers: { 'stripe-signature': header }, body: payload });
  assert.equal(res.status, 200);
}
