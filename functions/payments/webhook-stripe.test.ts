import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { closeDb, db } from '../../shared/db/index.ts';
import { checkout, fakeStripe, ledgerOf, patientWithCase, paymentEvents, paymentsPlatform, STRIPE_WEBHOOK_SECRET, stripeSettings } from './testing.ts';

const webhooks = new Stripe('sk_test_unused').webhooks;
let stripe: Awaited<ReturnType<typeof fakeStripe>>;

before(async () => {
  stripe = await fakeStripe();
});
after(async () => {
  await stripe.close();
  await closeDb();
});

/** A Stripe-shaped event, signed with the real SDK's test helper. */
function signed(event: Record<string, unknown>, options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const header = webhooks.generateTestHeaderString({ payload, secret: options.secret ?? STRIPE_WEBHOOK_SECRET, ...(options.timestamp ? { timestamp: options.timestamp } : {}) });
  return { payload, header };
}

const intentEvent = (id: string, type: string, intent: Record<string, unknown>) => ({
  id, object: 'event', api_version: '2024-06-20', created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object: { object: 'payment_intent', ...intent } },
});

async function stripePayment(platform: ReturnType<typeof paymentsPlatform>) {
  const { patient, caseId } = await patientWithCase(platform, { amount: 15_000, currency: 'EUR' }, 'FR');
  const created = await checkout(platform.api, patient.token, caseId);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { patient, caseId, paymentId: created.body.paymentId as string, intentId: created.body.clientSecret.split('_secret_')[0] as string };
}

const post = (platform: ReturnType<typeof paymentsPlatform>, body: { payload: string; header: string }) =>
  platform.app.request('/v1/webhooks/stripe', { method: 'POST', headers: { 'stripe-signature': body.header, 'content-type': 'application/json' }, body: body.payload });

const rejections = async () => Number((await db()<{ n: string }[]>`select count(*) as n from bus.outbox where type = 'payment.webhook.rejected.v1'`)[0]!.n);

describe('Stripe checkout and webhooks', () => {
  it('creates a PaymentIntent through the SDK against the configured API base', async () => {
    const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
    const { paymentId, intentId } = await stripePayment(platform);
    const call = stripe.calls.find((c) => c.form.get('metadata[paymentId]') === paymentId)!;
    assert.equal(call.path, '/v1/payment_intents');
    assert.equal(call.form.get('amount'), '15000');
    assert.equal(call.form.get('currency'), 'eur');
    assert.equal(call.idempotencyKey, `payment-${paymentId}`);
    assert.match(intentId, /^pi_/);
  });

  it('50 replays of one event and 20 concurrent duplicates have exactly one effect', async () => {
    const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
    const { caseId, paymentId, intentId } = await stripePayment(platform);
    const event = signed(intentEvent(`evt_${paymentId.slice(0, 8)}_ok`, 'payment_intent.succeeded', { id: intentId, amount: 15_000, amount_received: 15_000, currency: 'eur', metadata: { paymentId } }));
    const concurrent = await Promise.all(Array.from({ length: 20 }, () => post(platform, event)));
    assert.deepEqual(new Set(concurrent.map((r) => r.status)), new Set([200]));
    for (let i = 0; i < 50; i++) assert.equal((await post(platform, event)).status, 200);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.captured.v1']);
    // 20 % French VAT inside 150.00: 125.00 net + 25.00 tax, booked once.
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 15_000, deferred_revenue: -12_500, vat_payable: -2_500 });
    const [invoices] = await db()<{ n: string }[]>`select count(*) as n from payments.invoices where payment_id = ${paymentId}`;
    assert.equal(Number(invoices!.n), 1);
  });

  it('refuses a tampered body, a wrong secret and an old timestamp (400, nothing stored, a security event each)', async () => {
    const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
    const { caseId, paymentId, intentId } = await stripePayment(platform);
    const event = intentEvent(`evt_${paymentId.slice(0, 8)}_bad`, 'payment_intent.succeeded', { id: intentId, amount: 15_000, currency: 'eur', metadata: { paymentId } });
    const good = signed(event);
    const tampered = { payload: good.payload.replace('15000', '1'), header: good.header };
    const wrongSecret = signed(event, { secret: 'whsec_someone_else' });
    const old = signed(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const before = await rejections();
    for (const attempt of [tampered, wrongSecret, old, { payload: good.payload, header: '' }]) {
      const res = await post(platform, attempt);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
    }
    assert.ok((await rejections()) >= before + 4);
    const [stored] = await db()<{ n: string }[]>`select count(*) as n from payments.gateway_events where event_key = ${event.id}`;
    assert.equal(Number(stored!.n), 0, 'nothing stored');
    assert.deepEqual(await paymentEvents(caseId), []);
    // The genuine one still works afterwards.
    assert.equal((await post(platform, good)).status, 200);
    assert.equal((await paymentEvents(caseId)).length, 1);
  });

  it('a failure after success and a refund before its capture never corrupt the state', async () => {
    const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
    const a = await stripePayment(platform);
    assert.equal((await post(platform, signed(intentEvent(`evt_${a.paymentId}_s`, 'payment_intent.succeeded', { id: a.intentId, amount: 15_000, currency: 'eur', metadata: { paymentId: a.paymentId } })))).status, 200);
    assert.equal((await post(platform, signed(intentEvent(`evt_${a.paymentId}_f`, 'payment_intent.payment_failed', { id: a.intentId, amount: 15_000, currency: 'eur', metadata: { paymentId: a.paymentId } })))).status, 200);
    const status = async (id: string) => (await db()<{ status: string }[]>`select status from payments.payments where id = ${id}`)[0]!.status;
    assert.equal(await status(a.paymentId), 'captured');
    assert.deepEqual((await paymentEvents(a.caseId)).map((e) => e.type), ['payment.captured.v1']);

    const b = await stripePayment(platform);
    const refund = {
      id: `evt_${b.paymentId}_r`, object: 'event', created: Math.floor(Date.now() / 1000), livemode: false, type: 'charge.refunded',
      data: { object: { id: `ch_${b.paymentId.slice(0, 8)}`, object: 'charge', amount: 15_000, amount_refunded: 15_000, currency: 'eur', payment_intent: b.intentId, refunds: { data: [{ id: 're_1', metadata: {} }] } } },
    };
    assert.equal((await post(platform, signed(refund))).status, 200);
    assert.equal((await post(platform, signed(intentEvent(`evt_${b.paymentId}_s`, 'payment_intent.succeeded', { id: b.intentId, amount: 15_000, currency: 'eur', metadata: { paymentId: b.paymentId } })))).status, 200);
    assert.equal(await status(b.paymentId), 'refunded');
    // Money in and back out: clearing and VAT net to zero; no payment.captured.v1 for a case whose money went back.
    assert.deepEqual(await ledgerOf(b.paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    assert.deepEqual((await paymentEvents(b.caseId)).map((e) => e.type), ['payment.refunded.v1']);
  });

  it('a dispute moves a captured payment to disputed; later stale events do not move it back', async () => {
    const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
    const { paymentId, intentId } = await stripePayment(platform);
    const succeeded = signed(intentEvent(`evt_${paymentId}_s`, 'payment_intent.succeeded', { id: intentId, amount: 15_000, currency: 'eur', metadata: { paymentId } }));
    assert.equal((await post(platform, succeeded)).status, 200);
    const dispute = signed({
      id: `evt_${paymentId}_d`, object: 'event', created: Math.floor(Date.now() / 1000), livemode: false, type: 'charge.dispute.created',
      data: { object: { id: 'dp_1', object: 'dispute', amount: 15_000, currency: 'eur', payment_intent: intentId, reason: 'fraudulent' } },
    });
    assert.equal((await post(platform, dispute)).status, 200);
    assert.equal((await post(platform, signed(intentEvent(`evt_${paymentId}_f`, 'payment_intent.payment_failed', { id: intentId, currency: 'eur', metadata: { paymentId } })))).status, 200);
    const [row] = await db()<{ status: string }[]>`select status from payments.payments where id = ${paymentId}`;
    assert.equal(row!.status, 'disputed');
  });
});
