import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { issueInvoice } from './invoices.ts';
import { DEFAULT_VAT_BP } from './settings.ts';
import { checkout, patientWithCase, paymentsPlatform } from './testing.ts';

after(() => closeDb());

const gapsIn = async (year: number) => {
  const [row] = await db()<{ n: string; top: number | null }[]>`select count(*) as n, max(seq) as top from payments.invoices where year = ${year}`;
  return { count: Number(row!.n), top: row!.top ?? 0 };
};

describe('invoices', () => {
  it('numbers are sequential and gap-free under 20 concurrent captures', async () => {
    const platform = paymentsPlatform({ velocity: { perAccountPerHour: 100, perIpPerHour: 100 } });
    const payments: string[] = [];
    for (let i = 0; i < 20; i++) {
      // Signing up is not what is measured here: the captures below run concurrently.
      const { patient, caseId } = await patientWithCase(platform, { amount: 10_000, currency: 'EUR' }, 'NL');
      payments.push((await checkout(platform.api, patient.token, caseId)).body.paymentId as string);
    }
    const confirmed = await Promise.all(payments.map((id) => platform.api.post(`/v1/payments/sandbox/${id}/confirm`, {})));
    assert.deepEqual(new Set(confirmed.map((r) => r.status)), new Set([200]));
    const rows = await db()<{ number: string; seq: number; year: number }[]>`
      select number, seq, year from payments.invoices where payment_id in ${db()(payments)} order by seq`;
    assert.equal(rows.length, 20);
    assert.equal(new Set(rows.map((r) => r.number)).size, 20);
    const { count, top } = await gapsIn(rows[0]!.year);
    assert.equal(count, top, 'every number from 1 to the highest is used exactly once');
  });

  it('a capture that rolls back gives its number back', async () => {
    const year = 2099; // a year of its own, so other tests' invoices do not interleave
    const issue = (tx: Parameters<Parameters<typeof transaction>[0]>[0], paymentId: string, caseId: string) =>
      issueInvoice(tx, { paymentId, caseId, ownerId: 'o', country: 'DE', currency: 'EUR', gross: 11_900, vatBp: DEFAULT_VAT_BP, at: new Date(Date.UTC(year, 0, 1)) });
    const seed = async () => {
      const caseId = randomUUID();
      const paymentId = randomUUID();
      await db()`insert into payments.cases (case_id, owner_id, status, price_amount, price_currency, urgency) values (${caseId}, 'o', 'awaiting_payment', 11900, 'EUR', 'standard')`;
      await db()`insert into payments.payments (id, case_id, owner_id, gateway, amount, currency, ip) values (${paymentId}, ${caseId}, 'o', 'sandbox', 11900, 'EUR', 'x')`;
      return { caseId, paymentId };
    };
    const before = await gapsIn(year);
    const a = await seed();
    await assert.rejects(transaction(async (tx) => {
      await issue(tx, a.paymentId, a.caseId);
      throw new Error('capture failed after numbering');
    }), /capture failed/);
    const b = await seed();
    const invoice = await transaction((tx) => issue(tx, b.paymentId, b.caseId));
    assert.equal(invoice.seq, before.top + 1);
    assert.equal(invoice.number, `${year}-${String(before.top + 1).padStart(6, '0')}`);
    assert.deepEqual([Number(invoice.net), Number(invoice.tax)], [10_000, 1_900]);
  });
});
