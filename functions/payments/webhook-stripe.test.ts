import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { createMemoryKv } from '../../shared/kv/index.ts';
import { checkout, deliver, fakeStripe, ledgerOf, patientWithCase, paymentEvents, paymentsPlatform, STRIPE_WEBHOOK_SECRET, stripeSettings } from './testing.ts';

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

  describe('disputes', () => {
    const disputeEvent = (id: string, type: string, dispute: Record<string, unknown>) => ({
      id, object: 'event', api_version: '2024-06-20', created: Math.floor(Date.now() / 1000), livemode: false, type,
      data: { object: { object: 'dispute', amount: 15_000, currency: 'eur', reason: 'fraudulent', balance_transactions: [], ...dispute } },
    });
    // The balance transaction Stripe attaches when it withdraws the disputed amount and its dispute fee.
    const withdrawal = (fee: number) => ({ id: 'txn_1', object: 'balance_transaction', amount: -15_000, fee, net: -15_000 - fee, currency: 'eur', type: 'adjustment', fee_details: [{ amount: fee, currency: 'eur', description: 'Dispute fee', type: 'stripe_fee' }] });
    const captured = async (platform: ReturnType<typeof paymentsPlatform>) => {
      const p = await stripePayment(platform);
      const ok = signed(intentEvent(`evt_${p.paymentId}_s`, 'payment_intent.succeeded', { id: p.intentId, amount: 15_000, currency: 'eur', metadata: { paymentId: p.paymentId } }));
      assert.equal((await post(platform, ok)).status, 200);
      return p;
    };
    const status = async (id: string) => (await db()<{ status: string }[]>`select status from payments.payments where id = ${id}`)[0]!.status;

    it('a lost dispute of a delivered case reverses its revenue and books the fee once, even closed before opened and replayed', async () => {
      const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
      const { caseId, paymentId, intentId } = await captured(platform);
      await deliver(platform.app, OpinionDeliveredV1, {
        caseId, opinionId: crypto.randomUUID(), ownerId: 'x', authorId: 'a', authorGrade: 'G2', reviewerId: null, reviewerGrade: null,
        specialty: 'cardiology', urgency: 'standard', contentHash: 'a'.repeat(64), signedAt: new Date().toISOString(), followUpUntil: new Date().toISOString(),
      });
      const dp = `dp_${paymentId.slice(0, 8)}`;
      const closed = signed(disputeEvent(`evt_${paymentId}_dc`, 'charge.dispute.closed', { id: dp, payment_intent: intentId, status: 'lost', balance_transactions: [withdrawal(1_500)] }));
      const opened = signed(disputeEvent(`evt_${paymentId}_do`, 'charge.dispute.created', { id: dp, payment_intent: intentId, status: 'needs_response', balance_transactions: [withdrawal(1_500)] }));
      // The closing overtakes the opening; both are replayed, some concurrently.
      assert.deepEqual(new Set((await Promise.all(Array.from({ length: 5 }, () => post(platform, closed)))).map((r) => r.status)), new Set([200]));
      for (const event of [opened, closed, opened]) assert.equal((await post(platform, event)).status, 200);
      assert.equal(await status(paymentId), 'charged_back');
      // 150.00 with 20 % VAT went back: the recognised 125.00 through contra-revenue, the 25.00 VAT is owed no more;
      // clearing is left short by the 15.00 dispute fee.
      assert.deepEqual(await ledgerOf(paymentId), {
        gateway_clearing: -1_500, deferred_revenue: 0, vat_payable: 0, revenue: -12_500, refunds: 12_500, platform_fees: 1_500,
      });
      const events = await paymentEvents(caseId);
      assert.deepEqual(events.map((e) => e.type), ['payment.captured.v1', 'payment.dispute-closed.v1']);
      assert.deepEqual({ ...events[1]!.data, disputeId: undefined }, {
        paymentId, caseId, gateway: 'stripe', disputeId: undefined, outcome: 'lost', amount: { amount: 15_000, currency: 'EUR' }, fee: { amount: 1_500, currency: 'EUR' },
      });
    });

    it('a dispute opened then won goes back to captured and books nothing; a lost one without balance transactions books no fee', async () => {
      const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
      const a = await captured(platform);
      const capture = await ledgerOf(a.paymentId);
      const dpA = `dp_${a.paymentId.slice(0, 8)}`;
      assert.equal((await post(platform, signed(disputeEvent(`evt_${a.paymentId}_do`, 'charge.dispute.created', { id: dpA, payment_intent: a.intentId, status: 'needs_response' })))).status, 200);
      assert.equal(await status(a.paymentId), 'disputed');
      const won = signed(disputeEvent(`evt_${a.paymentId}_dc`, 'charge.dispute.closed', { id: dpA, payment_intent: a.intentId, status: 'won', balance_transactions: [withdrawal(1_500), { ...withdrawal(-1_500), id: 'txn_2', amount: 15_000 }] }));
      for (let i = 0; i < 3; i++) assert.equal((await post(platform, won)).status, 200);
      assert.equal(await status(a.paymentId), 'captured');
      assert.deepEqual(await ledgerOf(a.paymentId), capture);
      const events = await paymentEvents(a.caseId);
      assert.deepEqual(events.map((e) => e.type), ['payment.captured.v1', 'payment.disputed.v1', 'payment.dispute-closed.v1']);
      assert.equal(events[1]!.data.reason, 'fraudulent');
      assert.deepEqual(events[1]!.data.amount, { amount: 15_000, currency: 'EUR' });
      assert.equal(events[2]!.data.outcome, 'won');

      const b = await captured(platform);
      const dpB = `dp_${b.paymentId.slice(0, 8)}`;
      assert.equal((await post(platform, signed(disputeEvent(`evt_${b.paymentId}_do`, 'charge.dispute.created', { id: dpB, payment_intent: b.intentId })))).status, 200);
      assert.equal((await post(platform, signed(disputeEvent(`evt_${b.paymentId}_dc`, 'charge.dispute.closed', { id: dpB, payment_intent: b.intentId, status: 'lost' })))).status, 200);
      assert.equal(await status(b.paymentId), 'charged_back');
      assert.deepEqual(await ledgerOf(b.paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
      assert.equal((await paymentEvents(b.caseId)).at(-1)!.data.fee, null);
    });

    it('a won dispute whose balance transactions show the fee kept books that fee once; the disputed amount stays ours', async () => {
      const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
      const { paymentId, intentId } = await captured(platform);
      const capture = await ledgerOf(paymentId);
      const dp = `dp_${paymentId.slice(0, 8)}`;
      assert.equal((await post(platform, signed(disputeEvent(`evt_${paymentId}_do`, 'charge.dispute.created', { id: dp, payment_intent: intentId, status: 'needs_response' })))).status, 200);
      // The reinstatement gives the amount back but not the dispute fee.
      const reinstated = { ...withdrawal(0), id: 'txn_2', amount: 15_000, net: 15_000, fee_details: [] };
      const won = signed(disputeEvent(`evt_${paymentId}_dc`, 'charge.dispute.closed', { id: dp, payment_intent: intentId, status: 'won', balance_transactions: [withdrawal(1_500), reinstated] }));
      for (let i = 0; i < 3; i++) assert.equal((await post(platform, won)).status, 200);
      assert.equal(await status(paymentId), 'captured');
      assert.deepEqual(await ledgerOf(paymentId), { ...capture, gateway_clearing: 15_000 - 1_500, platform_fees: 1_500 });
    });

    it('a won closing delivered before its opening leaves the payment captured (the late opening is stale)', async () => {
      const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api) });
      const { caseId, paymentId, intentId } = await captured(platform);
      const dp = `dp_${paymentId.slice(0, 8)}`;
      assert.equal((await post(platform, signed(disputeEvent(`evt_${paymentId}_dc`, 'charge.dispute.closed', { id: dp, payment_intent: intentId, status: 'won' })))).status, 200);
      assert.equal((await post(platform, signed(disputeEvent(`evt_${paymentId}_do`, 'charge.dispute.created', { id: dp, payment_intent: intentId })))).status, 200);
      assert.equal(await status(paymentId), 'captured');
      assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 15_000, deferred_revenue: -12_500, vat_payable: -2_500 });
      assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.captured.v1']);
    });
  });

  it('rate-limits refused webhooks per source address: over the limit 429 with Retry-After and nothing recorded', async () => {
    const platform = paymentsPlatform({ gatewayByCurrency: { EUR: 'stripe' }, stripe: stripeSettings(stripe.api), kv: createMemoryKv(), webhookRejections: { limit: 3, windowSeconds: 60 } });
    const { caseId, paymentId, intentId } = await stripePayment(platform);
    const event = intentEvent(`evt_${paymentId}_rl`, 'payment_intent.succeeded', { id: intentId, amount: 15_000, currency: 'eur', metadata: { paymentId } });
    const forged = signed(event, { secret: 'whsec_forger' });
    // The forger's own first hop is ignored: the last hop is the one our ingress appended.
    const from = (ip: string, body: { payload: string; header: string }, claimed = `10.${Math.floor(Math.random() * 255)}.0.1`) =>
      platform.app.request('/v1/webhooks/stripe', { method: 'POST', headers: { 'stripe-signature': body.header, 'content-type': 'application/json', 'x-forwarded-for': `${claimed}, ${ip}` }, body: body.payload });
    for (let i = 0; i < 3; i++) assert.equal((await from('203.0.113.9', forged)).status, 400);
    const before = await rejections();
    for (let i = 0; i < 5; i++) {
      const res = await from('203.0.113.9', forged);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    }
    assert.equal(await rejections(), before, 'nothing recorded over the limit');
    assert.equal((await from('198.51.100.4', forged)).status, 400, 'another address is not limited');
    // A genuine webhook from the limited address still goes through.
    assert.equal((await from('203.0.113.9', signed(event))).status, 200);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.captured.v1']);
  });
});
