import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { login, newPatient } from '../identity/testing.ts';
import { createPayouts } from './app.ts';
import { DEFAULT_RATES, feeFor } from './rates.ts';
import { STATEMENT_CSV_HEADER, type Statement } from './statement.ts';
import { client, delivered, deliver, payoutEvents, platformApp, putJson, signedInOps, signedInProfessional, tick, type Client } from './testing.ts';
import { batchWeek, weekCutoff } from './week.ts';
import { at, childrenOf, parseXml } from './xml-reader.ts';

type BatchView = { id: string; weekKey: string; payouts: { id: string; professionalId: string; amount: { amount: number; currency: string }; status: string }[]; skipped: { professionalId: string; amount: { amount: number }; reason: string }[] };

const DAY = 86_400_000;
// Each run starts at a random week from 2100 on and each test takes the next one, so runs sharing a database never
// meet each other's week keys, and no other test file's batch (flow.test.ts uses 2050–2099) can take earnings this
// file expects to pay. Earnings of other files that land in these batches belong to professionals without a bank
// account: skipped, never asserted on here. The clock is the tests', not the machine's.
let monday = weekCutoff(new Date(Date.UTC(2100, 0, 1) + randomInt(0, 200_000) * 7 * DAY)).getTime();
let clock = new Date(monday);
const nextWeek = () => {
  monday += 7 * DAY;
  clock = new Date(monday + 6 * 3_600_000);
  return { tickAt: clock, before: (days: number) => new Date(monday - days * DAY).toISOString(), after: new Date(monday + 3_600_000).toISOString() };
};

const fee = (grade: 'G1' | 'G2' | 'G3' | 'G4', urgency: 'standard' | 'urgent', role: 'author' | 'reviewer' = 'author') => feeFor(DEFAULT_RATES, { currency: 'EUR', role, grade, urgency }).amount;

describe('weekly payout batches', () => {
  after(() => closeDb());
  const payouts = createPayouts({ now: () => clock });
  const app = platformApp(payouts);

  async function earn(authorId: string, signedAt: string, extra: Parameters<typeof delivered>[0] = {}) {
    const res = await deliver(payouts, OpinionDeliveredV1, delivered({ authorId, signedAt, ...extra }));
    assert.equal(res.status, 200);
  }
  async function withBank(api: Client, pro: { token: string }, iban = 'DE89370400440532013000') {
    const res = await putJson(app, api, '/v1/payouts/bank-account', { iban, bic: 'COBADEFFXXX', accountHolderName: 'Dr Zoë Müller' }, pro.token);
    assert.equal(res.status, 200);
  }
  async function batchOf(api: Client, ops: { token: string }, tickAt: Date): Promise<BatchView> {
    const list = await api.get(`/v1/payouts/batches?weekKey=${batchWeek(tickAt).weekKey}`, ops.token);
    const { items } = (await list.json()) as { items: { id: string }[] };
    assert.equal(items.length, 1);
    return (await (await api.get(`/v1/payouts/batches/${items[0]!.id}`, ops.token)).json()) as BatchView;
  }

  it('pays each professional with a bank account their unpaid earnings before the cutoff; statements sum to them', async () => {
    const week = nextWeek();
    const api = client(app);
    const [pro, ops] = [await signedInProfessional(api), await signedInOps(api)];
    await withBank(api, pro);
    const unbanked = randomUUID();
    await earn(pro.id, week.before(3), { authorGrade: 'G2', urgency: 'standard' });
    await earn(pro.id, week.before(1), { authorGrade: 'G2', urgency: 'urgent' });
    await earn(randomUUID(), week.before(2), { reviewerId: pro.id, reviewerGrade: 'G2', urgency: 'standard' });
    await earn(pro.id, week.after);
    await earn(unbanked, week.before(2), { authorGrade: 'G4', urgency: 'urgent' });
    assert.equal((await tick(payouts, 'weekly-batch', week.tickAt)).status, 200);

    const batch = await batchOf(api, ops, week.tickAt);
    const mine = batch.payouts.filter((p) => p.professionalId === pro.id);
    const expected = fee('G2', 'standard') + fee('G2', 'urgent') + fee('G2', 'standard', 'reviewer');
    assert.deepEqual(mine.map((p) => [p.amount, p.status]), [[{ amount: expected, currency: 'EUR' }, 'pending']]);
    assert.ok(!batch.payouts.some((p) => p.professionalId === unbanked), 'no payout without a bank account');
    assert.deepEqual(batch.skipped.filter((s) => s.professionalId === unbanked).map((s) => [s.amount.amount, s.reason]), [[fee('G4', 'urgent'), 'no-bank-account']]);
    const [unpaid] = await db()<{ n: string }[]>`select count(*)::text as n from payouts.earnings where professional_id = ${unbanked} and payout_id is null`;
    assert.equal(unpaid!.n, '1', 'a skipped professional stays unpaid');

    const earnings = (await (await api.get('/v1/payouts/earnings', pro.token)).json()) as { items: { status: string; payoutId: string | null; earnedAt: string }[] };
    assert.deepEqual(earnings.items.map((e) => e.status), ['unpaid', 'scheduled', 'scheduled', 'scheduled'], 'the earning after the cutoff waits for next week');

    const listed = (await (await api.get('/v1/payouts/statements', pro.token)).json()) as { items: { payoutId: string; weekKey: string; amount: { amount: number } }[] };
    assert.deepEqual(listed.items.map((i) => [i.payoutId, i.weekKey, i.amount.amount]), [[mine[0]!.id, batch.weekKey, expected]]);

    const statement = (await (await api.get(`/v1/payouts/statements/${mine[0]!.id}`, pro.token)).json()) as Statement;
    assert.equal(statement.lines.length, 3);
    assert.equal(statement.lines.reduce((s, l) => s + l.amount.amount, 0), expected);
    assert.equal(statement.amount.amount, expected);
    assert.equal(statement.weekKey, batch.weekKey);
    assert.deepEqual(statement.lines.map((l) => l.role).sort(), ['author', 'author', 'reviewer']);

    const csv = await api.get(`/v1/payouts/statements/${mine[0]!.id}?format=csv`, pro.token);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const rows = (await csv.text()).trimEnd().split('\r\n').map((line) => line.split(','));
    assert.deepEqual(rows[0], STATEMENT_CSV_HEADER);
    const amountAt = STATEMENT_CSV_HEADER.indexOf('amount_minor');
    const lines = rows.slice(1, -1);
    assert.equal(lines.length, 3);
    assert.equal(lines.reduce((s, r) => s + Number(r[amountAt]), 0), expected);
    assert.deepEqual([rows.at(-1)![0], Number(rows.at(-1)![amountAt])], ['total', expected]);
    assert.equal((await api.get(`/v1/payouts/statements/${mine[0]!.id}?format=pdf`, pro.token)).status, 400);
  });

  it("someone else's statement is 404 (professional or patient); ops see every statement", async () => {
    const week = nextWeek();
    const api = client(app);
    const [pro, other, ops] = [await signedInProfessional(api), await signedInProfessional(api), await signedInOps(api)];
    await withBank(api, pro);
    await earn(pro.id, week.before(1));
    await tick(payouts, 'weekly-batch', week.tickAt);
    const payout = (await batchOf(api, ops, week.tickAt)).payouts.find((p) => p.professionalId === pro.id)!;
    assert.equal((await api.get(`/v1/payouts/statements/${payout.id}`, other.token)).status, 404);
    assert.equal((await api.get(`/v1/payouts/statements/${payout.id}?format=csv`, other.token)).status, 404);
    assert.deepEqual(((await (await api.get('/v1/payouts/statements', other.token)).json()) as { items: unknown[] }).items, []);
    assert.equal((await api.get(`/v1/payouts/statements?professionalId=${pro.id}`, other.token)).status, 404);
    const patient = await newPatient(api);
    assert.equal((await api.get(`/v1/payouts/statements/${payout.id}`, (await login(api, patient.email)).accessToken)).status, 404);
    assert.equal((await api.get(`/v1/payouts/statements/${randomUUID()}`, pro.token)).status, 404);
    assert.equal((await api.get('/v1/payouts/statements/not-an-id', pro.token)).status, 404);
    const seen = await api.get(`/v1/payouts/statements/${payout.id}`, ops.token);
    assert.equal(seen.status, 200);
    assert.equal(((await seen.json()) as Statement).professionalId, pro.id);
    // Batches are ops' business alone.
    assert.equal((await api.get(`/v1/payouts/batches?weekKey=${batchWeek(week.tickAt).weekKey}`, pro.token)).status, 403);
  });

  it('two runs at once (and a late repeat) make one batch; each earning is paid once', async () => {
    const week = nextWeek();
    const api = client(app);
    const [pro, ops] = [await signedInProfessional(api), await signedInOps(api)];
    await withBank(api, pro);
    await earn(pro.id, week.before(2));
    await earn(pro.id, week.before(1));
    const runs = await Promise.all([tick(payouts, 'weekly-batch', week.tickAt), tick(payouts, 'weekly-batch', week.tickAt), tick(payouts, 'weekly-batch', new Date(week.tickAt.getTime() + 30 * 60_000))]);
    assert.deepEqual(runs.map((r) => r.status), [200, 200, 200]);
    assert.equal((await tick(payouts, 'weekly-batch', new Date(week.tickAt.getTime() + 2 * DAY))).status, 200);
    const [count] = await db()<{ n: string }[]>`select count(*)::text as n from payouts.batches where week_key = ${batchWeek(week.tickAt).weekKey}`;
    assert.equal(count!.n, '1');
    const batch = await batchOf(api, ops, week.tickAt);
    assert.deepEqual(batch.payouts.filter((p) => p.professionalId === pro.id).map((p) => p.amount.amount), [2 * fee('G2', 'standard')]);
    const [payoutsOfPro] = await db()<{ n: string }[]>`select count(*)::text as n from payouts.payouts where professional_id = ${pro.id}`;
    assert.equal(payoutsOfPro!.n, '1');
  });

  it('exports a well-formed pain.001.001.09 file: NbOfTxs and CtrlSum match the payouts; skipped professionals are left out', async () => {
    const week = nextWeek();
    const api = client(app);
    const [a, b, ops] = [await signedInProfessional(api), await signedInProfessional(api), await signedInOps(api)];
    await withBank(api, a);
    await withBank(api, b, 'GB82 WEST 1234 5698 7654 32');
    const unbanked = randomUUID();
    await earn(a.id, week.before(2), { authorGrade: 'G3', urgency: 'urgent' });
    await earn(b.id, week.before(2), { authorGrade: 'G1', urgency: 'standard' });
    await earn(b.id, week.before(1), { authorGrade: 'G1', urgency: 'standard' });
    await earn(unbanked, week.before(1));
    await tick(payouts, 'weekly-batch', week.tickAt);
    const batch = await batchOf(api, ops, week.tickAt);
    const res = await api.get(`/v1/payouts/batches/${batch.id}/sepa`, ops.token);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/xml/);
    const doc = parseXml(await res.text());
    const txs = childrenOf(at(doc, 'CstmrCdtTrfInitn'), 'PmtInf').flatMap((block) => childrenOf(block, 'CdtTrfTxInf'));
    assert.equal(at(doc, 'CstmrCdtTrfInitn/GrpHdr/NbOfTxs').text, String(batch.payouts.length));
    assert.equal(txs.length, batch.payouts.length);
    const total = batch.payouts.reduce((s, p) => s + p.amount.amount, 0);
    assert.equal(at(doc, 'CstmrCdtTrfInitn/GrpHdr/CtrlSum').text, `${Math.floor(total / 100)}.${String(total % 100).padStart(2, '0')}`);
    const byEndToEnd = new Map(txs.map((tx) => [at(tx, 'PmtId/EndToEndId').text, tx]));
    for (const [pro, iban, amount] of [[a, 'DE89370400440532013000', '210.00'], [b, 'GB82WEST12345698765432', '160.00']] as const) {
      const payout = batch.payouts.find((p) => p.professionalId === pro.id)!;
      const tx = byEndToEnd.get(payout.id.replaceAll('-', '').toUpperCase())!;
      assert.equal(at(tx, 'CdtrAcct/Id/IBAN').text, iban);
      assert.equal(at(tx, 'Amt/InstdAmt').text, amount);
      assert.equal(at(tx, 'Amt/InstdAmt').attributes.Ccy, 'EUR');
      assert.equal(at(tx, 'Cdtr/Nm').text, 'Dr Zoe Muller');
    }
    assert.ok(batch.skipped.some((s) => s.professionalId === unbanked));
    assert.equal((await api.get(`/v1/payouts/batches/${batch.id}/sepa`, a.token)).status, 403, 'ops only');
    assert.equal((await api.get(`/v1/payouts/batches/${randomUUID()}/sepa`, ops.token)).status, 404);
  });

  it('marking paid emits payout.paid.v1 once per payout, however often and however concurrently it is asked', async () => {
    const week = nextWeek();
    const api = client(app);
    const [a, b, ops] = [await signedInProfessional(api), await signedInProfessional(api), await signedInOps(api)];
    await withBank(api, a);
    await withBank(api, b);
    await earn(a.id, week.before(1));
    await earn(b.id, week.before(1));
    await tick(payouts, 'weekly-batch', week.tickAt);
    const batch = await batchOf(api, ops, week.tickAt);
    const payoutA = batch.payouts.find((p) => p.professionalId === a.id)!;
    const payoutB = batch.payouts.find((p) => p.professionalId === b.id)!;

    const one = await api.post(`/v1/payouts/batches/${batch.id}/payouts/${payoutA.id}/paid`, undefined, ops.token);
    assert.equal(one.status, 200);
    assert.deepEqual(((await one.json()) as { newlyPaid: string[] }).newlyPaid, [payoutA.id]);
    assert.equal(((await (await api.get(`/v1/payouts/statements/${payoutB.id}`, b.token)).json()) as Statement).status, 'pending');

    const all = await Promise.all([1, 2, 3].map(() => api.post(`/v1/payouts/batches/${batch.id}/paid`, undefined, ops.token)));
    assert.deepEqual(all.map((r) => r.status), [200, 200, 200]);
    const newly = (await Promise.all(all.map((r) => r.json() as Promise<{ newlyPaid: string[]; pending: number }>)));
    assert.ok(newly.flatMap((n) => n.newlyPaid).includes(payoutB.id));
    assert.ok(!newly.flatMap((n) => n.newlyPaid).includes(payoutA.id), 'the payout already paid is not paid again');
    assert.equal((await api.post(`/v1/payouts/batches/${batch.id}/payouts/${payoutA.id}/paid`, undefined, ops.token)).status, 200);

    for (const [pro, payout] of [[a, payoutA], [b, payoutB]] as const) {
      const events = await payoutEvents('payout.paid.v1', pro.id);
      assert.deepEqual(events.map((e) => e.data), [{ payoutId: payout.id, batchId: batch.id, professionalId: pro.id, amount: { amount: fee('G2', 'standard'), currency: 'EUR' } }]);
      const statement = (await (await api.get(`/v1/payouts/statements/${payout.id}`, pro.token)).json()) as Statement;
      assert.equal(statement.status, 'paid');
      assert.equal(statement.paidAt, clock.toISOString());
      const earnings = (await (await api.get('/v1/payouts/earnings', pro.token)).json()) as { items: { status: string }[] };
      assert.deepEqual(earnings.items.map((e) => e.status), ['paid']);
    }
    assert.equal((await api.post(`/v1/payouts/batches/${batch.id}/payouts/${randomUUID()}/paid`, undefined, ops.token)).status, 404);
    assert.equal((await api.post(`/v1/payouts/batches/${batch.id}/paid`, undefined, a.token)).status, 403);
  });

  it('what a batch skipped is paid by a later one once the professional has a bank account', async () => {
    const first = nextWeek();
    const api = client(app);
    const [pro, ops] = [await signedInProfessional(api), await signedInOps(api)];
    await earn(pro.id, first.before(1), { authorGrade: 'G4', urgency: 'standard' });
    await tick(payouts, 'weekly-batch', first.tickAt);
    assert.ok((await batchOf(api, ops, first.tickAt)).skipped.some((s) => s.professionalId === pro.id));
    await withBank(api, pro);
    await earn(pro.id, first.after, { authorGrade: 'G4', urgency: 'urgent' });
    const second = nextWeek();
    await tick(payouts, 'weekly-batch', second.tickAt);
    const batch = await batchOf(api, ops, second.tickAt);
    assert.deepEqual(batch.payouts.filter((p) => p.professionalId === pro.id).map((p) => p.amount.amount), [fee('G4', 'standard') + fee('G4', 'urgent')]);
    assert.ok(!batch.skipped.some((s) => s.professionalId === pro.id));
  });
});
