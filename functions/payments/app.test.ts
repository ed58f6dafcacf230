import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { closeDb } from '../../shared/db/index.ts';
import { CaseStatusChangedV1 } from '../../events/case.ts';
import { checkout, ledgerOf, patientWithCase, paymentEvents, paymentsPlatform, signedInOpsWithMfa, signedInPatient, deliver } from './testing.ts';

describe('checkout (sandbox gateway)', () => {
  after(() => closeDb());

  it('creates a payment for a case awaiting payment; confirming it captures, invoices, books and emits payment.captured.v1', async () => {
    const platform = paymentsPlatform();
    const { patient, caseId } = await patientWithCase(platform, { amount: 29_000, currency: 'EUR' }, 'DE');
    const created = await checkout(platform.api, patient.token, caseId);
    assert.equal(created.status, 201);
    assert.equal(created.body.gateway, 'sandbox');
    assert.equal(created.body.amount, 29_000);
    assert.equal(created.body.currency, 'EUR');
    const confirm = await platform.api.post(`/v1/payments/sandbox/${created.body.paymentId}/confirm`, {});
    assert.equal(confirm.status, 200);
    assert.equal(((await confirm.json()) as { status: string }).status, 'captured');
    const events = await paymentEvents(caseId);
    assert.deepEqual(events.map((e) => e.type), ['payment.captured.v1']);
    assert.deepEqual(events[0]!.data, { paymentId: created.body.paymentId, caseId, ownerId: patient.id, gateway: 'sandbox', amount: { amount: 29_000, currency: 'EUR' } });
    // 19 % German VAT inside the price: 24370 net + 4630 tax.
    assert.deepEqual(await ledgerOf(created.body.paymentId), { gateway_clearing: 29_000, deferred_revenue: -24_370, vat_payable: -4_630 });
    // Confirming again (a second click, a replay) changes nothing.
    assert.equal((await platform.api.post(`/v1/payments/sandbox/${created.body.paymentId}/confirm`, {})).status, 200);
    assert.equal((await paymentEvents(caseId)).length, 1);

    const payment = (await (await platform.api.get(`/v1/payments/${created.body.paymentId}`, patient.token)).json()) as { invoiceId: string; status: string };
    assert.equal(payment.status, 'captured');
    const invoice = await platform.api.get(`/v1/invoices/${payment.invoiceId}`, patient.token);
    assert.equal(invoice.status, 200);
    const body = (await invoice.json()) as Record<string, any>;
    assert.match(body.number, /^\d{4}-\d{6}$/);
    assert.deepEqual([body.net, body.tax, body.gross], [{ amount: 24_370, currency: 'EUR' }, { amount: 4_630, currency: 'EUR' }, { amount: 29_000, currency: 'EUR' }]);
    const pdf = await platform.app.request(`/v1/invoices/${payment.invoiceId}.pdf`, { headers: { authorization: `Bearer ${patient.token}` } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
    const ops = await signedInOpsWithMfa(platform.api);
    assert.equal((await platform.api.get(`/v1/invoices/${payment.invoiceId}`, ops.token)).status, 200);
    const stranger = await signedInPatient(platform.api);
    assert.equal((await platform.api.get(`/v1/invoices/${payment.invoiceId}`, stranger.token)).status, 404);
  });

  it('answers 404 for someone else\'s case and for an unknown one, 409 unless awaiting payment, 400 for bad input', async () => {
    const platform = paymentsPlatform();
    const { patient, caseId } = await patientWithCase(platform);
    const stranger = await signedInPatient(platform.api);
    assert.equal((await checkout(platform.api, stranger.token, caseId)).status, 404);
    assert.equal((await checkout(platform.api, patient.token, randomUUID())).status, 404);
    const bad = await platform.api.post('/v1/payments/checkout', { caseId: 42 }, patient.token);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer, '/caseId');
    await deliver(platform.app, CaseStatusChangedV1, { caseId, ownerId: patient.id, from: 'awaiting_payment', to: 'cancelled', cause: 'case.cancel' });
    const refused = await checkout(platform.api, patient.token, caseId);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.currentStatus, 'cancelled');
  });

  it('honours Idempotency-Key: same key and body → same answer; another body → 422', async () => {
    const platform = paymentsPlatform();
    const { patient, caseId } = await patientWithCase(platform);
    const other = await patientWithCase({ ...platform }, { amount: 100, currency: 'EUR' });
    const call = (id: string, key: string) =>
      platform.app.request('/v1/payments/checkout', {
        method: 'POST', body: JSON.stringify({ caseId: id }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${patient.token}`, 'idempotency-key': key },
      });
    const key = randomUUID();
    const answers = await Promise.all([call(caseId, key), call(caseId, key), call(caseId, key)]);
    const bodies = await Promise.all(answers.map((a) => a.json()));
    assert.deepEqual(answers.map((a) => a.status), [201, 201, 201]);
    assert.equal(new Set(bodies.map((b) => JSON.stringify(b))).size, 1);
    assert.equal((await call(other.caseId, key)).status, 422);
  });

  it('the sandbox confirm is 404 when the sandbox is off', async () => {
    const platform = paymentsPlatform({ sandbox: false });
    assert.equal((await platform.api.post(`/v1/payments/sandbox/${randomUUID()}/confirm`, {})).status, 404);
  });

  it('limits checkouts per account per hour (429)', async () => {
    const platform = paymentsPlatform({ velocity: { perAccountPerHour: 2, perIpPerHour: 100 } });
    const { patient, caseId } = await patientWithCase(platform);
    const first = await checkout(platform.api, patient.token, caseId);
    await platform.api.post(`/v1/payments/sandbox/${first.body.paymentId}/confirm`, { outcome: 'failed' });
    const second = await checkout(platform.api, patient.token, caseId);
    assert.equal(second.status, 201);
    assert.notEqual(second.body.paymentId, first.body.paymentId);
    await platform.api.post(`/v1/payments/sandbox/${second.body.paymentId}/confirm`, { outcome: 'failed' });
    const third = await checkout(platform.api, patient.token, caseId);
    assert.equal(third.status, 429);
  });
});
