import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hmacValidator } from '@adyen/api-library';
import { CaseCancelledV1 } from '../../events/case.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { eventually } from '../../test/support/runtime.ts';
import { ADYEN_HMAC_KEY, checkout, deliver, ledgerOf, patientWithCase, paymentEvents, paymentsPlatform } from './testing.ts';

// A local server with the two Adyen Checkout calls the adapter makes (POST /sessions, POST /payments/{psp}/refunds).
const refundCalls: { psp: string; refundId: string }[] = [];
const sessions: { idempotencyKey: string | undefined; body: Record<string, any> }[] = [];
const server = createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const body = JSON.parse(raw || '{}');
  sessions.push({ idempotencyKey: req.headers['idempotency-key'] as string | undefined, body });
  const refund = /^\/payments\/([^/]+)\/refunds$/.exec(req.url ?? '');
  if (refund) refundCalls.push({ psp: decodeURIComponent(refund[1]!), refundId: body.reference });
  const reply = req.url === '/sessions'
    ? { id: `CS${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`, sessionData: 'Ab02b4c0!BQABAgA', amount: body.amount, reference: body.reference }
    : { pspReference: `R${Date.now()}`, status: 'received' };
  res.writeHead(req.headers['x-api-key'] === 'adyen-test-key' ? 201 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
});
let checkoutUrl = '';
before(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  checkoutUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.close();
  await closeDb();
});

const validator = new hmacValidator();
function item(fields: { psp: string; paymentId: string; eventCode?: string; success?: 'true' | 'false'; amount?: number; original?: string; extra?: Record<string, string> }, key = ADYEN_HMAC_KEY) {
  const notification = {
    pspReference: fields.psp, originalReference: fields.original ?? '', merchantAccountCode: 'ConsiliumECOM', merchantReference: fields.paymentId,
    amount: { value: fields.amount ?? 12_000, currency: 'EUR' }, eventCode: fields.eventCode ?? 'AUTHORISATION', success: fields.success ?? 'true',
    eventDate: new Date().toISOString(), operations: [], paymentMethod: 'visa', additionalData: { ...(fields.extra ?? {}) } as Record<string, string>,
  };
  notification.additionalData.hmacSignature = validator.calculateHmac(notification as never, key);
  return { NotificationRequestItem: notification };
}
const post = (platform: ReturnType<typeof paymentsPlatform>, items: unknown[]) =>
  platform.app.request('/v1/webhooks/adyen', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ live: 'false', notificationItems: items }) });

const adyenPlatform = () => paymentsPlatform({
  gatewayByCurrency: { EUR: 'adyen' },
  adyen: { hmacKey: ADYEN_HMAC_KEY, apiKey: 'adyen-test-key', merchantAccount: 'ConsiliumECOM', checkoutUrl },
});

async function adyenPayment(platform: ReturnType<typeof paymentsPlatform>) {
  const { patient, caseId } = await patientWithCase(platform, { amount: 12_000, currency: 'EUR' }, 'NL');
  const created = await checkout(platform.api, patient.token, caseId);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.gateway, 'adyen');
  return { caseId, paymentId: created.body.paymentId as string };
}

const statusOf = async (id: string) => (await db()<{ status: string }[]>`select status from payments.payments where id = ${id}`)[0]!.status;

describe('Adyen notifications', () => {
  it('creates a session per payment, idempotent on our payment id', async () => {
    const platform = adyenPlatform();
    const { paymentId } = await adyenPayment(platform);
    const call = sessions.find((s) => s.body.reference === paymentId)!;
    assert.equal(call.idempotencyKey, `payment-${paymentId}`);
    assert.deepEqual(call.body.amount, { value: 12_000, currency: 'EUR' });
  });

  it('applies an AUTHORISATION with a correct HMAC once, answering [accepted]; replays change nothing', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}`;
    for (let i = 0; i < 3; i++) {
      const res = await post(platform, [item({ psp, paymentId })]);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '[accepted]');
    }
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.captured.v1']);
    const [row] = await db()<{ gatewayRef: string }[]>`select gateway_ref from payments.payments where id = ${paymentId}`;
    assert.equal(row!.gatewayRef, psp, 'the payment is now known by its pspReference');
  });

  it('refuses a wrong HMAC (400, nothing stored) and honours success=false', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}X`;
    const forged = item({ psp, paymentId }, 'AA'.repeat(32));
    const res = await post(platform, [forged]);
    assert.equal(res.status, 400);
    const tampered = item({ psp, paymentId });
    tampered.NotificationRequestItem.amount.value = 1;
    assert.equal((await post(platform, [tampered])).status, 400);
    const [stored] = await db()<{ n: string }[]>`select count(*) as n from payments.gateway_events where event_key like ${`${psp}%`}`;
    assert.equal(Number(stored!.n), 0);
    assert.equal((await post(platform, [item({ psp, paymentId, success: 'false' })])).status, 200);
    assert.equal(await statusOf(paymentId), 'failed');
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.failed.v1']);
  });

  it('holds a payment Adyen scores RED (no payment.captured.v1)', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    await post(platform, [item({ psp: `PSP${Date.now()}R`, paymentId, extra: { fraudResultType: 'RED', cardIssuingCountry: 'US' } })]);
    assert.equal(await statusOf(paymentId), 'held');
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.held.v1']);
  });

  it('a cancelled case is refunded through Adyen and confirmed by its REFUND notification', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}F`;
    await post(platform, [item({ psp, paymentId })]);
    await deliver(platform.app, CaseCancelledV1, { caseId, from: 'triage' });
    await eventually(() => refundCalls.some((r) => r.psp === psp), 10_000, 'the refund call at Adyen');
    assert.equal(await statusOf(paymentId), 'refunding');
    const refundId = refundCalls.find((r) => r.psp === psp)!.refundId;
    const refundPsp = `PSP${Date.now()}RF`;
    const res = await post(platform, [item({ psp: refundPsp, paymentId: refundId, eventCode: 'REFUND', original: psp })]);
    assert.equal(await res.text(), '[accepted]');
    assert.equal(await statusOf(paymentId), 'refunded');
    const refunded = (await paymentEvents(caseId)).filter((e) => e.type === 'payment.refunded.v1');
    assert.equal(refunded.length, 1);
    assert.equal(refunded[0]!.data.refundId, refundId);
  });

  it('a chargeback takes the money back and its reversal restores it exactly; replays book nothing twice', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}D`;
    await post(platform, [item({ psp, paymentId })]);
    const capture = await ledgerOf(paymentId);
    // 120.00 with 21 % Dutch VAT: 99.17 net + 20.83 tax.
    assert.deepEqual(capture, { gateway_clearing: 12_000, deferred_revenue: -9_917, vat_payable: -2_083 });
    const dispute = `PSP${Date.now()}DSP`;
    const ofDispute = (eventCode: string) => item({ psp: dispute, original: psp, paymentId, eventCode, extra: { chargebackReasonCode: '10.4' } });
    assert.equal(await (await post(platform, [ofDispute('NOTIFICATION_OF_CHARGEBACK')])).text(), '[accepted]');
    assert.equal(await statusOf(paymentId), 'disputed');
    for (let i = 0; i < 3; i++) await post(platform, [ofDispute('CHARGEBACK')]);
    assert.equal(await statusOf(paymentId), 'charged_back');
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    await post(platform, [ofDispute('CHARGEBACK_REVERSED'), ofDispute('CHARGEBACK_REVERSED')]);
    await post(platform, [ofDispute('CHARGEBACK')]);
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual(await ledgerOf(paymentId), capture);
    const events = await paymentEvents(caseId);
    assert.deepEqual(events.map((e) => [e.type, e.data.outcome]), [
      ['payment.captured.v1', undefined], ['payment.disputed.v1', undefined], ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'],
    ]);
    assert.equal(events[1]!.data.reason, '10.4');
    assert.equal(events[2]!.data.fee, null, 'Adyen reports no dispute fee in its notification');
  });

  it('a second chargeback after a reversal takes the money again, once (redelivered, then PREARBITRATION_LOST), for good', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}S`;
    await post(platform, [item({ psp, paymentId })]);
    const dispute = `PSP${Date.now()}SSP`;
    const ofDispute = (eventCode: string) => item({ psp: dispute, original: psp, paymentId, eventCode });
    await post(platform, [ofDispute('CHARGEBACK')]);
    await post(platform, [ofDispute('CHARGEBACK_REVERSED')]);
    assert.equal(await statusOf(paymentId), 'captured');
    for (let i = 0; i < 3; i++) assert.equal(await (await post(platform, [ofDispute('SECOND_CHARGEBACK')])).text(), '[accepted]');
    assert.equal(await statusOf(paymentId), 'charged_back');
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    // Whatever of the dispute comes after is stale: the pre-arbitration's loss is the same money, a reversal is late.
    await post(platform, [ofDispute('PREARBITRATION_LOST'), ofDispute('CHARGEBACK_REVERSED'), ofDispute('CHARGEBACK')]);
    assert.equal(await statusOf(paymentId), 'charged_back');
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    const entries = await db()<{ kind: string }[]>`select kind from payments.journal_entries where payment_id = ${paymentId} order by id`;
    assert.deepEqual(entries.map((e) => e.kind), ['capture', 'chargeback', 'chargeback_reversal', 'chargeback']);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome, e.data.amount?.amount]), [
      ['payment.captured.v1', undefined, 12_000], ['payment.dispute-closed.v1', 'lost', 12_000], ['payment.dispute-closed.v1', 'won', 12_000],
      ['payment.dispute-closed.v1', 'lost', 12_000],
    ]);
  });

  it('PREARBITRATION_LOST after a reversal charges a partly refunded payment back again for what is left', async () => {
    const platform = adyenPlatform();
    const { paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}P`;
    await post(platform, [item({ psp, paymentId })]);
    // A refund of 30.00 made in Adyen's Customer Area.
    await post(platform, [item({ psp: `PSP${Date.now()}PRF`, paymentId: 'dashboard', eventCode: 'REFUND', original: psp, amount: 3_000 })]);
    assert.equal(await statusOf(paymentId), 'refunded');
    const refunded = await ledgerOf(paymentId);
    const dispute = `PSP${Date.now()}PSP`;
    const ofDispute = (eventCode: string) => item({ psp: dispute, original: psp, paymentId, eventCode });
    await post(platform, [ofDispute('CHARGEBACK')]);
    assert.equal(await statusOf(paymentId), 'charged_back');
    await post(platform, [ofDispute('CHARGEBACK_REVERSED')]);
    assert.equal(await statusOf(paymentId), 'refunded');
    assert.deepEqual(await ledgerOf(paymentId), refunded);
    await post(platform, [ofDispute('PREARBITRATION_LOST'), ofDispute('PREARBITRATION_LOST')]);
    assert.equal(await statusOf(paymentId), 'charged_back');
    const chargebacks = await db()<{ credit: string }[]>`
      select l.credit from payments.journal_entries e join payments.journal_lines l on l.entry_id = e.id
      where e.payment_id = ${paymentId} and e.kind = 'chargeback' and l.account = 'gateway_clearing' order by e.id`;
    assert.deepEqual(chargebacks.map((c) => Number(c.credit)), [9_000, 9_000]);
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
  });

  it('a second chargeback that overtakes the reversal leaves one chargeback booked and the payment charged back', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}V`;
    await post(platform, [item({ psp, paymentId })]);
    const dispute = `PSP${Date.now()}VSP`;
    for (const eventCode of ['CHARGEBACK', 'SECOND_CHARGEBACK', 'CHARGEBACK_REVERSED']) {
      await post(platform, [item({ psp: dispute, original: psp, paymentId, eventCode })]);
    }
    assert.equal(await statusOf(paymentId), 'charged_back');
    assert.deepEqual(await ledgerOf(paymentId), { gateway_clearing: 0, deferred_revenue: 0, vat_payable: 0 });
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome]), [['payment.captured.v1', undefined], ['payment.dispute-closed.v1', 'lost']]);
  });

  it('PREARBITRATION_WON after a second chargeback gives the money back once and the payment its status; the dispute is then over', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}W`;
    await post(platform, [item({ psp, paymentId })]);
    const capture = await ledgerOf(paymentId);
    const dispute = `PSP${Date.now()}WSP`;
    const ofDispute = (eventCode: string) => item({ psp: dispute, original: psp, paymentId, eventCode });
    await post(platform, [ofDispute('CHARGEBACK'), ofDispute('CHARGEBACK_REVERSED'), ofDispute('SECOND_CHARGEBACK')]);
    assert.equal(await statusOf(paymentId), 'charged_back');
    for (let i = 0; i < 3; i++) assert.equal(await (await post(platform, [ofDispute('PREARBITRATION_WON')])).text(), '[accepted]');
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual(await ledgerOf(paymentId), capture);
    // Nothing of the dispute counts after its last word.
    await post(platform, [ofDispute('PREARBITRATION_LOST'), ofDispute('CHARGEBACK'), ofDispute('NOTIFICATION_OF_CHARGEBACK')]);
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual(await ledgerOf(paymentId), capture);
    const entries = await db()<{ kind: string }[]>`select kind from payments.journal_entries where payment_id = ${paymentId} order by id`;
    assert.deepEqual(entries.map((e) => e.kind), ['capture', 'chargeback', 'chargeback_reversal', 'chargeback', 'chargeback_reversal']);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome]), [
      ['payment.captured.v1', undefined], ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'],
      ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'],
    ]);
  });

  it('PREARBITRATION_WON undoes the one chargeback booked when the second chargeback overtook the reversal', async () => {
    const platform = adyenPlatform();
    const { paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}U`;
    await post(platform, [item({ psp, paymentId })]);
    const capture = await ledgerOf(paymentId);
    const dispute = `PSP${Date.now()}USP`;
    for (const eventCode of ['CHARGEBACK', 'SECOND_CHARGEBACK', 'CHARGEBACK_REVERSED', 'PREARBITRATION_WON', 'PREARBITRATION_WON']) {
      await post(platform, [item({ psp: dispute, original: psp, paymentId, eventCode })]);
    }
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual(await ledgerOf(paymentId), capture);
    const entries = await db()<{ kind: string }[]>`select kind from payments.journal_entries where payment_id = ${paymentId} order by id`;
    assert.deepEqual(entries.map((e) => e.kind), ['capture', 'chargeback', 'chargeback_reversal']);
  });

  it('PREARBITRATION_WON after PREARBITRATION_LOST returns a partly refunded payment to refunded', async () => {
    const platform = adyenPlatform();
    const { paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}Q`;
    await post(platform, [item({ psp, paymentId })]);
    await post(platform, [item({ psp: `PSP${Date.now()}QRF`, paymentId: 'dashboard', eventCode: 'REFUND', original: psp, amount: 3_000 })]);
    const refunded = await ledgerOf(paymentId);
    const dispute = `PSP${Date.now()}QSP`;
    for (const eventCode of ['CHARGEBACK', 'CHARGEBACK_REVERSED', 'PREARBITRATION_LOST', 'PREARBITRATION_WON']) {
      await post(platform, [item({ psp: dispute, original: psp, paymentId, eventCode })]);
    }
    assert.equal(await statusOf(paymentId), 'refunded');
    assert.deepEqual(await ledgerOf(paymentId), refunded);
  });

  it('PREARBITRATION_WON while another dispute of the payment is open leaves it disputed; that dispute\'s win returns it', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}M`;
    await post(platform, [item({ psp, paymentId })]);
    const capture = await ledgerOf(paymentId);
    const [a, b] = [`PSP${Date.now()}MSA`, `PSP${Date.now()}MSB`];
    const of = (dispute: string, eventCode: string) => item({ psp: dispute, original: psp, paymentId, eventCode });
    await post(platform, [of(a, 'CHARGEBACK'), of(a, 'CHARGEBACK_REVERSED')]);
    assert.equal(await statusOf(paymentId), 'captured');
    await post(platform, [of(b, 'NOTIFICATION_OF_CHARGEBACK')]);
    await post(platform, [of(a, 'SECOND_CHARGEBACK')]);
    assert.equal(await statusOf(paymentId), 'charged_back');
    await post(platform, [of(a, 'PREARBITRATION_WON')]);
    assert.equal(await statusOf(paymentId), 'disputed', 'b is still open');
    assert.deepEqual(await ledgerOf(paymentId), capture, 'a gave its money back all the same');
    await post(platform, [of(b, 'CHARGEBACK_REVERSED')]);
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual(await ledgerOf(paymentId), capture);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => [e.type, e.data.outcome]), [
      ['payment.captured.v1', undefined], ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'], ['payment.disputed.v1', undefined],
      ['payment.dispute-closed.v1', 'lost'], ['payment.dispute-closed.v1', 'won'], ['payment.dispute-closed.v1', 'won'],
    ]);
  });

  it('dispute events in reverse order (reversal, chargeback, notification) leave the payment captured and the ledger untouched', async () => {
    const platform = adyenPlatform();
    const { caseId, paymentId } = await adyenPayment(platform);
    const psp = `PSP${Date.now()}O`;
    await post(platform, [item({ psp, paymentId })]);
    const capture = await ledgerOf(paymentId);
    const dispute = `PSP${Date.now()}OSP`;
    for (const eventCode of ['CHARGEBACK_REVERSED', 'CHARGEBACK', 'NOTIFICATION_OF_CHARGEBACK']) {
      await post(platform, [item({ psp: dispute, original: psp, paymentId, eventCode })]);
    }
    assert.equal(await statusOf(paymentId), 'captured');
    assert.deepEqual(await ledgerOf(paymentId), capture);
    assert.deepEqual((await paymentEvents(caseId)).map((e) => e.type), ['payment.captured.v1']);
  });
});
