import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb } from '../../shared/db/index.ts';
import { login, newPatient } from '../identity/testing.ts';
import { createPayouts } from './app.ts';
import { DEFAULT_RATES, feeFor } from './rates.ts';
import { client, delivered, deliver, platformApp, signedInOps, signedInProfessional } from './testing.ts';

type Page = { items: { id: string; caseId: string; earnedAt: string; amount: { amount: number; currency: string }; status: string }[]; nextCursor: string | null };
type Year = { professionalId: string; year: number; months: { month: string; earnings: number; totals: { amount: number; currency: string }[] }[]; totals: { amount: number; currency: string }[] };

describe('GET /v1/payouts/earnings and /v1/payouts/earnings/{year}', () => {
  after(() => closeDb());
  const payouts = createPayouts();
  const app = platformApp(payouts);
  const earn = async (authorId: string, signedAt: string, extra: Parameters<typeof delivered>[0] = {}) =>
    assert.equal((await deliver(payouts, OpinionDeliveredV1, delivered({ authorId, signedAt, ...extra }))).status, 200);

  it('lists my earnings newest first in keyset pages that neither skip nor repeat', async () => {
    const api = client(app);
    const pro = await signedInProfessional(api);
    const times = Array.from({ length: 7 }, (_, i) => new Date(Date.UTC(2027, 2, 1 + i, 9)).toISOString());
    // Two earnings at the same instant: the id breaks the tie.
    for (const t of [...times, times[3]!]) await earn(pro.id, t);
    await earn(randomUUID(), times[0]!);
    const seen: Page['items'] = [];
    let cursor: string | null = null;
    do {
      const res = await api.get(`/v1/payouts/earnings?limit=3${cursor ? `&cursor=${cursor}` : ''}`, pro.token);
      assert.equal(res.status, 200);
      const page = (await res.json()) as Page;
      assert.ok(page.items.length <= 3);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 8);
    assert.equal(new Set(seen.map((e) => e.id)).size, 8);
    const order = seen.map((e) => e.earnedAt);
    assert.deepEqual(order, [...order].sort().reverse());
    // No bank account, so any batch running meanwhile (other test files) skips these and they stay unpaid.
    assert.ok(seen.every((e) => e.status === 'unpaid' && e.amount.currency === 'EUR'));
    assert.equal((await api.get('/v1/payouts/earnings?cursor=garbage', pro.token)).status, 400);
    assert.equal((await api.get('/v1/payouts/earnings?limit=0', pro.token)).status, 400);
  });

  it('the yearly statement totals my earnings per month and currency; ops ask for anyone', async () => {
    const api = client(app);
    const [pro, ops] = [await signedInProfessional(api), await signedInOps(api)];
    await earn(pro.id, '2028-01-31T23:59:59.000Z', { authorGrade: 'G1', urgency: 'standard' });
    await earn(pro.id, '2028-01-02T08:00:00.000Z', { authorGrade: 'G2', urgency: 'urgent' });
    await earn(pro.id, '2028-03-15T12:00:00.000Z', { authorGrade: 'G3', urgency: 'standard' });
    await earn(pro.id, '2027-12-31T23:59:59.000Z', { authorGrade: 'G4', urgency: 'urgent' });
    await earn(pro.id, '2029-01-01T00:00:00.000Z', { authorGrade: 'G4', urgency: 'urgent' });
    await earn(randomUUID(), '2028-02-01T00:00:00.000Z', { reviewerId: pro.id, reviewerGrade: 'G2' });
    const fee = (role: 'author' | 'reviewer', grade: 'G1' | 'G2' | 'G3', urgency: 'standard' | 'urgent') => feeFor(DEFAULT_RATES, { currency: 'EUR', role, grade, urgency }).amount;
    const january = fee('author', 'G1', 'standard') + fee('author', 'G2', 'urgent');
    const february = fee('reviewer', 'G2', 'standard');
    const march = fee('author', 'G3', 'standard');

    const res = await api.get('/v1/payouts/earnings/2028', pro.token);
    assert.equal(res.status, 200);
    const year = (await res.json()) as Year;
    assert.equal(year.professionalId, pro.id);
    assert.equal(year.months.length, 12);
    assert.deepEqual(year.months.slice(0, 4).map((m) => [m.month, m.earnings, m.totals]), [
      ['2028-01', 2, [{ amount: january, currency: 'EUR' }]],
      ['2028-02', 1, [{ amount: february, currency: 'EUR' }]],
      ['2028-03', 1, [{ amount: march, currency: 'EUR' }]],
      ['2028-04', 0, []],
    ]);
    assert.deepEqual(year.totals, [{ amount: january + february + march, currency: 'EUR' }]);

    const asOps = (await (await api.get(`/v1/payouts/earnings/2028?professionalId=${pro.id}`, ops.token)).json()) as Year;
    assert.deepEqual(asOps, year);
    const unnamed = (await (await api.get('/v1/payouts/earnings/2028', ops.token)).json()) as Year;
    assert.deepEqual(unnamed.totals, [], 'without a name, ops see their own earnings: none');
    assert.equal((await api.get(`/v1/payouts/earnings?professionalId=${pro.id}`, ops.token)).status, 200);
  });

  it("a professional asking for someone else's earnings gets 404; patients 403; a bad year 400", async () => {
    const api = client(app);
    const [pro, other] = [await signedInProfessional(api), await signedInProfessional(api)];
    assert.equal((await api.get(`/v1/payouts/earnings/2028?professionalId=${other.id}`, pro.token)).status, 404);
    assert.equal((await api.get(`/v1/payouts/earnings?professionalId=${other.id}`, pro.token)).status, 404);
    assert.equal((await api.get(`/v1/payouts/earnings?professionalId=${pro.id}`, pro.token)).status, 200);
    const patient = await newPatient(api);
    const token = (await login(api, patient.email)).accessToken;
    assert.equal((await api.get('/v1/payouts/earnings', token)).status, 403);
    assert.equal((await api.get('/v1/payouts/earnings/2028', token)).status, 403);
    const bad = await api.get('/v1/payouts/earnings/20x8', pro.token);
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer), ['/year']);
    assert.equal((await api.get('/v1/payouts/earnings/1999', pro.token)).status, 400);
    assert.equal((await api.get('/v1/payouts/earnings')).status, 401);
  });
});
