import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import type { GatewayNotice } from './gateways/types.ts';
import { ingest } from './ingest.ts';
import { paymentSettings } from './settings.ts';
import { checkout, deliver, ledgerOf, patientWithCase, paymentEvents, paymentsPlatform, signedInOpsWithMfa } from './testing.ts';

after(() => closeDb());

// Gateway events reach ingest() as the sandbox's own webhook path does; payments are made through the app.
const settings = paymentSettings({ sandbox: true });
const notify = (paymentId: string, notice: Omit<GatewayNotice, 'gateway' | 'paymentId' | 'currency'>) =>
  transaction((tx) => ingest(tx, settings, { gateway: 'sandbox', paymentId, currency: 'EUR', ...notice }));

async function sandboxPayment(platform: ReturnType<typeof paymentsPlatform>, amount: number, country: string, confirm: Record<string, unknown> = {}) {
  const { patient, caseId } = await patientWithCase(platform, { amount, currency: 'EUR' }, country);
  const { body } = await checkout(platform.api, patient.token, caseId);
  assert.equal((await platform.api.post(`/v1/payments/sandbox/${body.paymentId}/confirm`, confirm)).status, 200);
  return { caseId, paymentId: body.paymentId as string };
}

const delivered = (platform: ReturnType<typeof paymentsPlatform>, caseId: string) =>
  deliver(platform.app, OpinionDeliveredV1, {
    caseId, opinionId: randomUUID(), ownerId: 'x', authorId: 'a', authorGrade: 'G2', reviewerId: null, reviewerGrade: null,
    specialty: 'cardiology', urgency: 'standard', contentHash: 'a'.repeat(64), signedAt: new Date().toISOString(), followUpUntil: new Date().toISOString(),
  });

const statusOf = async (id: string) => (await db()<{ status: string }[]>`select status from payments.payments where id = ${id}`)[0]!.status;

/** The lines of a payment's chargeback entries, by account (debit - credit). */
const chargebackLinesOf = async (paymentId: string) =>
  Object.fromEntries((await db()<{ account: string; net: string }[]>`
    select l.account, sum(l.debit - l.credit) as net from payments.journal_entries e join payments.journal_lines l on l.entry_id = e.id
    where e.payment_id = ${paymentId} and e.kind = 'chargeback' group by l.account`).map((r) => [r.account, Number(r.net)]));

/** The gateway_clearing credit of each chargeback entry booked for a payment. */
const chargebacksOf = async (paymentId: string) =>
  (await db()<{ credit: string }[]>`
    select l.credit from payments.journal_entries e join payments.journal_lines l on l.entry_id = e.id
    where e.payment_id = ${paymentId} and e.kind = 'chargeback' and l.account = 'gateway_clearing' order by e.id`).map((r) => Number(r.credit));

describe('disputes of refunded and held payments', () => {
  it('a partly refunded payment that loses a dispute is charged back for what is left, once; a win gives it back refunded', async () => {
    const platform = paymentsPlatform();
    // 1.20 with 20 % French VAT (1.00 + 0.20); a refund of 0.03 carries 0.005 of VAT, which rounds up: the rest must
    // carry exactly the remaining VAT, so that a payment gone back in full owes none.
    const { caseId, paymentId } = await sandboxPayment(platform, 120, 'FR');
    assert.equal(await notify(paymentId, { eventKey: `refund:${paymentId}`, kind: 'refunded', amount: 3 }), 'applied');
    assert.equal(await statusOf(paymentId), 'refunded');
    const refunded = await ledgerOf(paymentId);
    const disputeRef = `dp_${paymentId}`;
    const lost = { eventKey: `${disputeRef}:lost`, kind: 'dispute_lost', disputeRef, amount: 120 } as const;
    assert.equal(await notify(paymentId, lost), 'applied');
    assert.equal(await notify(paymentId, lost), 'duplicate');
    assert.equal(await notify(paymentId, { ...lost, eventKey: `${disputeRef}:lost-again-delivered` }), 'ignored');
    assert.equal(await statusOf(paymentId), 'charged_back');
    assert.deepEqual(await chargebacksOf(paymentId), [117], 'never more than is left after the refund');
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    const closed = (await paymentEvents(caseId)).filter((e) => e.type === 'payment.dispute-closed.v1');
    assert.deepEqual(closed.map((e) => [e.data.outcome, e.data.amount.amount]), [['lost', 117]]);

    assert.equal(await notify(paymentId, { eventKey: `${disputeRef}:won`, kind: 'dispute_won', disputeRef }), 'applied');
    assert.equal(await statusOf(paymentId), 'refunded', 'the refund still stands');
    assert.deepEqual(await ledgerOf(paymentId), refunded);
  });

  it('a fully refunded payment has nothing left to charge back: it stays refunded and nothing is booked', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await sandboxPayment(platform, 5_000, 'DE');
    await notify(paymentId, { eventKey: `refund:${paymentId}`, kind: 'refunded', amount: 5_000 });
    const refunded = await ledgerOf(paymentId);
    const disputeRef = `dp_${paymentId}`;
    assert.equal(await notify(paymentId, { eventKey: `${disputeRef}:lost`, kind: 'dispute_lost', disputeRef, amount: 5_000 }), 'ignored');
    assert.equal(await statusOf(paymentId), 'refunded');
    assert.deepEqual(await chargebacksOf(paymentId), []);
    assert.deepEqual(await ledgerOf(paymentId), refunded);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.captured.v1', 'payment.refunded.v1']);
  });

  it('a held payment charged back and then won is held again: the case starts only when ops release it', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await sandboxPayment(platform, 9_000, 'DE', { risk: 'highest' });
    assert.equal(await statusOf(paymentId), 'held');
    const captured = await ledgerOf(paymentId);
    const disputeRef = `dp_${paymentId}`;
    for (const kind of ['disputed', 'dispute_lost', 'dispute_won'] as const) {
      assert.equal(await notify(paymentId, { eventKey: `${disputeRef}:${kind}`, kind, disputeRef, amount: 9_000 }), 'applied', kind);
      if (kind === 'dispute_lost') assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    }
    assert.equal(await statusOf(paymentId), 'held');
    assert.deepEqual(await ledgerOf(paymentId), captured);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome]), [
      ['payment.held.v1', undefined], ['payment.disputed.v1', undefined], ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'],
    ]);

    const ops = await signedInOpsWithMfa(platform.api);
    const release = await platform.api.post(`/v1/payments/${paymentId}/release`, {}, ops.token);
    assert.equal(release.status, 200);
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual((await paymentEvents(caseId)).filter((e) => e.type === 'payment.captured.v1').map((e) => e.data.amount), [{ amount: 9_000, currency: 'EUR' }]);
    assert.deepEqual(await ledgerOf(paymentId), captured, 'the release books nothing more');
  });

  it('a held payment disputed by one dispute stays disputed when another, never opened here, is won (found by the ledger property test)', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await sandboxPayment(platform, 9_100, 'DE', { risk: 'highest' });
    assert.equal(await notify(paymentId, { eventKey: `dp_a_${paymentId}:disputed`, kind: 'disputed', disputeRef: `dp_a_${paymentId}`, amount: 9_100 }), 'applied');
    assert.equal(await notify(paymentId, { eventKey: `dp_b_${paymentId}:won`, kind: 'dispute_won', disputeRef: `dp_b_${paymentId}`, amount: 9_100 }), 'applied');
    assert.equal(await statusOf(paymentId), 'disputed', 'not captured: the fraud review still stands, and dispute a is open');
    assert.ok(!(await paymentEvents(caseId)).some((e) => e.type === 'payment.captured.v1'));
  });

  it('a partly refunded payment charged back after delivery is debited where its money is: refunds, the delivery having recognised what it kept', async () => {
    const platform = paymentsPlatform();
    // 100.00 with 19 % German VAT: 84.03 net + 15.97 tax; a refund of 30.00 takes 25.21 + 4.79 of it, 58.82 + 11.18 are left.
    const lost = (paymentId: string) => notify(paymentId, { eventKey: `dp_${paymentId}:lost`, kind: 'dispute_lost', disputeRef: `dp_${paymentId}`, amount: 10_000 });
    // Refunded, then delivered: the delivery recognised the 58.82 the payment kept, so the chargeback of the rest comes
    // out of refunds, and its win puts it back there.
    const a = await sandboxPayment(platform, 10_000, 'DE');
    await notify(a.paymentId, { eventKey: `refund:${a.paymentId}`, kind: 'refunded', amount: 3_000 });
    await delivered(platform, a.caseId);
    const recognised = await ledgerOf(a.paymentId);
    assert.deepEqual(recognised, { gateway_clearing: 7_000, deferred_revenue: 0, vat_payable: -1_118, revenue: -5_882 });
    assert.equal(await lost(a.paymentId), 'applied');
    assert.deepEqual(await chargebackLinesOf(a.paymentId), { refunds: 5_882, vat_payable: 1_118, gateway_clearing: -7_000 });
    assert.deepEqual(await ledgerOf(a.paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0, revenue: -5_882, refunds: 5_882 });
    assert.equal(await notify(a.paymentId, { eventKey: `dp_${a.paymentId}:won`, kind: 'dispute_won', disputeRef: `dp_${a.paymentId}` }), 'applied');
    assert.equal(await statusOf(a.paymentId), 'refunded');
    assert.deepEqual(await ledgerOf(a.paymentId), { ...recognised, refunds: 0 });

    // Delivered, then refunded: the delivery made the whole net revenue and the refund went through refunds; so does the rest.
    const b = await sandboxPayment(platform, 10_000, 'DE');
    await delivered(platform, b.caseId);
    await notify(b.paymentId, { eventKey: `refund:${b.paymentId}`, kind: 'refunded', amount: 3_000 });
    assert.equal(await lost(b.paymentId), 'applied');
    assert.deepEqual(await chargebackLinesOf(b.paymentId), { refunds: 5_882, vat_payable: 1_118, gateway_clearing: -7_000 });
    assert.deepEqual(await ledgerOf(b.paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0, revenue: -8_403, refunds: 8_403 });
  });
});

describe('revenue recognised on delivery', () => {
  it('a partly refunded payment recognises what it keeps, cut as its refund was, once however often the delivery comes', async () => {
    const platform = paymentsPlatform();
    // 1.20 with 20 % French VAT (1.00 + 0.20); the refund of 0.03 took 0.025 of net + 0.005 of VAT, rounded to 0.02 + 0.01
    // (refunds round the tax): 0.98 net and 0.19 VAT are left, and the 0.98 is the revenue.
    const { caseId, paymentId } = await sandboxPayment(platform, 120, 'FR');
    assert.equal(await notify(paymentId, { eventKey: `refund:${paymentId}`, kind: 'refunded', amount: 3 }), 'applied');
    const deliveries = [randomUUID(), randomUUID()];
    for (const id of [deliveries[0]!, deliveries[0]!, deliveries[1]!]) {
      await deliver(platform.app, OpinionDeliveredV1, {
        caseId, opinionId: id, ownerId: 'x', authorId: 'a', authorGrade: 'G2', reviewerId: null, reviewerGrade: null,
        specialty: 'cardiology', urgency: 'standard', contentHash: 'a'.repeat(64), signedAt: new Date().toISOString(), followUpUntil: new Date().toISOString(),
      }, id);
    }
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 117, deferred_revenue: 0, vat_payable: -19, revenue: -98 });
    const entries = await db()<{ kind: string }[]>`select kind from payments.journal_entries where payment_id = ${paymentId} order by id`;
    assert.deepEqual(entries.map((e) => e.kind), ['capture', 'refund', 'delivery']);
  });

  it('a fully refunded payment recognises nothing', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await sandboxPayment(platform, 5_000, 'DE');
    await notify(paymentId, { eventKey: `refund:${paymentId}`, kind: 'refunded', amount: 5_000 });
    await delivered(platform, caseId);
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    assert.deepEqual((await db()<{ kind: string }[]>`select kind from payments.journal_entries where payment_id = ${paymentId} and kind = 'delivery'`).length, 0);
  });

  it('money won back after delivery is recognised then: a chargeback reversed after the case was delivered', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await sandboxPayment(platform, 10_000, 'DE');
    const disputeRef = `dp_${paymentId}`;
    await notify(paymentId, { eventKey: `${disputeRef}:lost`, kind: 'dispute_lost', disputeRef, amount: 10_000 });
    await delivered(platform, caseId);
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 }, 'charged back: nothing kept, nothing recognised');
    assert.equal(await notify(paymentId, { eventKey: `${disputeRef}:won`, kind: 'dispute_won', disputeRef }), 'applied');
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 10_000, deferred_revenue: 0, vat_payable: -1_597, revenue: -8_403 });
  });
});

describe('several disputes of one payment', () => {
  const event = (paymentId: string, ref: string, kind: GatewayNotice['kind']) =>
    notify(paymentId, { eventKey: `${ref}:${kind}`, kind, disputeRef: ref, amount: 9_000 });

  it('a win leaves the payment disputed while another dispute is open; the last win returns it where it was', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await sandboxPayment(platform, 9_000, 'DE');
    const captured = await ledgerOf(paymentId);
    const [a, b] = [`dp_a_${paymentId}`, `dp_b_${paymentId}`];
    assert.equal(await event(paymentId, a, 'disputed'), 'applied');
    assert.equal(await event(paymentId, b, 'disputed'), 'applied', 'b joins a');
    // Opened again under another notification (Adyen: NOTIFICATION_OF_CHARGEBACK, then CHARGEBACK): announced once.
    assert.equal(await notify(paymentId, { eventKey: `${b}:disputed:again`, kind: 'disputed', disputeRef: b, amount: 9_000 }), 'applied');
    assert.equal(await event(paymentId, a, 'dispute_won'), 'applied');
    assert.equal(await statusOf(paymentId), 'disputed', 'b is still open');
    assert.equal(await event(paymentId, b, 'dispute_lost'), 'applied');
    assert.equal(await event(paymentId, b, 'dispute_won'), 'applied');
    assert.equal(await statusOf(paymentId), 'captured', 'b was the last: back to where a found it');
    assert.deepEqual(await ledgerOf(paymentId), captured);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome]), [
      ['payment.captured.v1', undefined], ['payment.disputed.v1', undefined], ['payment.disputed.v1', undefined], ['payment.dispute-closed.v1', 'won'],
      ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'],
    ]);
  });

  it('a dispute lost again while another has the payment disputed takes that one\'s status, not the one it remembered from before', async () => {
    const platform = paymentsPlatform();
    // Dispute a first meets the payment held; after a's win ops release it, and b then disputes the captured payment.
    const { caseId, paymentId } = await sandboxPayment(platform, 9_000, 'DE', { risk: 'highest' });
    const [a, b] = [`dp_a_${paymentId}`, `dp_b_${paymentId}`];
    for (const kind of ['disputed', 'dispute_lost', 'dispute_won'] as const) await event(paymentId, a, kind);
    assert.equal(await statusOf(paymentId), 'held');
    const ops = await signedInOpsWithMfa(platform.api);
    assert.equal((await platform.api.post(`/v1/payments/${paymentId}/release`, {}, ops.token)).status, 200);
    const captured = await ledgerOf(paymentId);
    assert.equal(await event(paymentId, b, 'disputed'), 'applied');
    assert.equal(await event(paymentId, a, 'dispute_lost_again'), 'applied');
    assert.equal(await event(paymentId, b, 'dispute_won'), 'ignored', 'nothing of b was charged back');
    assert.equal(await statusOf(paymentId), 'charged_back', 'a\'s second chargeback stands');
    assert.equal(await event(paymentId, a, 'dispute_won_again'), 'applied');
    assert.equal(await statusOf(paymentId), 'captured', 'not held again: the review was released before b');
    assert.deepEqual(await ledgerOf(paymentId), captured);
    assert.equal((await paymentEvents(caseId)).filter((e) => e.type === 'payment.captured.v1').length, 1);
  });

  it('a refund ends the dispute that had the payment: a chargeback won back afterwards returns it refunded', async () => {
    const platform = paymentsPlatform();
    const { paymentId } = await sandboxPayment(platform, 9_000, 'DE');
    const [a, b] = [`dp_a_${paymentId}`, `dp_b_${paymentId}`];
    await event(paymentId, a, 'disputed');
    assert.equal(await notify(paymentId, { eventKey: `refund:${paymentId}`, kind: 'refunded', amount: 2_000 }), 'applied');
    const refunded = await ledgerOf(paymentId);
    await event(paymentId, b, 'dispute_lost');
    await event(paymentId, b, 'dispute_won');
    assert.equal(await statusOf(paymentId), 'refunded');
    assert.deepEqual(await ledgerOf(paymentId), refunded);
  });
});

describe('dispute fees', () => {
  it('a fee booked with a loss is given back once when the win reports it returned, and stays when the win reports nothing', async () => {
    const platform = paymentsPlatform();
    const fee = (amount: number) => ({ amount, currency: 'EUR' });
    const a = await sandboxPayment(platform, 9_000, 'DE');
    const captured = await ledgerOf(a.paymentId);
    const refA = `dp_${a.paymentId}`;
    await notify(a.paymentId, { eventKey: `${refA}:lost`, kind: 'dispute_lost', disputeRef: refA, amount: 9_000, fee: fee(1_500) });
    assert.equal((await ledgerOf(a.paymentId)).platform_fees, 1_500);
    const won = { eventKey: `${refA}:won`, kind: 'dispute_won', disputeRef: refA, fee: fee(0) } as const;
    assert.equal(await notify(a.paymentId, won), 'applied');
    assert.equal(await notify(a.paymentId, won), 'duplicate');
    assert.equal(await notify(a.paymentId, { ...won, eventKey: `${refA}:won-again-delivered` }), 'ignored');
    assert.deepEqual(await ledgerOf(a.paymentId), { ...captured, platform_fees: 0 });
    const fees = await db()<{ ref: string; debit: string; credit: string }[]>`
      select e.ref, l.debit, l.credit from payments.journal_entries e join payments.journal_lines l on l.entry_id = e.id
      where e.payment_id = ${a.paymentId} and e.kind = 'fee' and l.account = 'platform_fees' order by e.id`;
    assert.deepEqual(fees.map((f) => [f.ref.replace(/^dispute:[^:]+/, ''), Number(f.debit), Number(f.credit)]), [['', 1_500, 0], [':won', 0, 1_500]]);

    const b = await sandboxPayment(platform, 9_000, 'DE');
    const refB = `dp_${b.paymentId}`;
    await notify(b.paymentId, { eventKey: `${refB}:lost`, kind: 'dispute_lost', disputeRef: refB, amount: 9_000, fee: fee(1_500) });
    await notify(b.paymentId, { eventKey: `${refB}:won`, kind: 'dispute_won', disputeRef: refB });
    assert.equal(await statusOf(b.paymentId), 'captured');
    assert.equal((await ledgerOf(b.paymentId)).platform_fees, 1_500, 'no word of the fee on the win: it stays booked');
  });
});

describe('a chargeback that overtakes its capture, then won', () => {
  async function pendingPayment(platform: ReturnType<typeof paymentsPlatform>, amount: number) {
    const { patient, caseId } = await patientWithCase(platform, { amount, currency: 'EUR' }, 'DE');
    const { body } = await checkout(platform.api, patient.token, caseId);
    return { caseId, paymentId: body.paymentId as string };
  }
  const confirm = async (platform: ReturnType<typeof paymentsPlatform>, paymentId: string, body: Record<string, unknown> = {}) =>
    ((await (await platform.api.post(`/v1/payments/sandbox/${paymentId}/confirm`, body)).json()) as { outcome: string }).outcome;

  it('is the capture it stands for: captured and announced once, whatever is redelivered or arrives late', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await pendingPayment(platform, 9_500);
    const disputeRef = `dp_${paymentId}`;
    assert.equal(await notify(paymentId, { eventKey: `${disputeRef}:lost`, kind: 'dispute_lost', disputeRef, amount: 9_500 }), 'applied');
    assert.equal(await statusOf(paymentId), 'charged_back');
    const won = { eventKey: `${disputeRef}:won`, kind: 'dispute_won', disputeRef } as const;
    assert.equal(await notify(paymentId, won), 'applied');
    assert.equal(await notify(paymentId, won), 'duplicate');
    assert.equal(await notify(paymentId, { ...won, eventKey: `${disputeRef}:won-delivered-again` }), 'ignored');
    assert.equal(await confirm(platform, paymentId), 'ignored', 'the capture\'s own late webhook adds nothing');
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome]), [
      ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'], ['payment.captured.v1', undefined],
    ]);
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 9_500, deferred_revenue: -7_983, vat_payable: -1_517 });
  });

  it('goes through the capture\'s risk check: a payment its late webhook scores high risk is held for ops, and announced on release', async () => {
    const platform = paymentsPlatform();
    const { caseId, paymentId } = await pendingPayment(platform, 9_600);
    const disputeRef = `dp_${paymentId}`;
    assert.equal(await notify(paymentId, { eventKey: `${disputeRef}:lost`, kind: 'dispute_lost', disputeRef, amount: 9_600 }), 'applied');
    assert.equal(await confirm(platform, paymentId, { risk: 'highest' }), 'ignored', 'charged back: the capture cannot move it now');
    assert.equal(await notify(paymentId, { eventKey: `${disputeRef}:won`, kind: 'dispute_won', disputeRef }), 'applied');
    assert.equal(await statusOf(paymentId), 'held');
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome ?? e.data.reasons]), [
      ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'], ['payment.held.v1', ['gateway-risk-highest']],
    ]);
    const ops = await signedInOpsWithMfa(platform.api);
    assert.equal((await platform.api.post(`/v1/payments/${paymentId}/release`, {}, ops.token)).status, 200);
    assert.equal(await statusOf(paymentId), 'captured');
    assert.equal((await paymentEvents(caseId)).filter((e) => e.type === 'payment.captured.v1').length, 1);
  });
});
