import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CaseSlaBreachedV1 } from '../../events/case.ts';
import { OpinionStartedV1 } from '../../events/opinions.ts';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { config } from '../../shared/config/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { INSTRUMENTS } from '../../shared/telemetry/metrics.ts';
import { recordedMetrics, type RecordedMetrics } from '../../shared/telemetry/testing.ts';
import { uniqueName } from '../../test/support/names.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { createCases } from './app.ts';
import { STATUSES, type CaseStatus } from './lifecycle.ts';
import { flagOverdueCases } from './sla-sweep.ts';
import { advanceCase, caseEvents, casesRuntime, deliverOpinion, reachesStatus, reportFact, signedInOps, submittedCase, type Client } from './testing.ts';

// Every sweep here is scoped to the test's own case and runs on a clock of its own (hours after the case was paid),
// so no other suite's late case is flagged, and no other suite's sweep sees these cases late by the wall clock.

const source = uniqueName('facts');
const HOUR = 3_600_000;

describe('flag-overdue-cases', () => {
  let harness: Awaited<ReturnType<typeof casesRuntime>>;
  let api: Client;
  let recorded: RecordedMetrics;
  before(async () => {
    recorded = await recordedMetrics();
    harness = await casesRuntime({ sources: [source] });
    api = harness.api;
  });
  after(async () => {
    await harness?.close();
    await closeDb();
  });

  /** Breaches counted in this process so far, per status. */
  const breaches = async () => Object.fromEntries(await Promise.all(STATUSES.map(async (s) => [s, await recorded.sum(INSTRUMENTS.slaBreaches.name, { stage: s })] as const)));
  const breachesSince = async (start: Record<string, number>) =>
    Object.fromEntries(Object.entries(await breaches()).map(([s, n]) => [s, n - start[s]!]).filter(([, n]) => n !== 0));

  const flagEvents = async (caseId: string) => (await caseEvents(caseId)).filter((e) => e.type === CaseSlaBreachedV1.type);
  const row = async (caseId: string) => {
    const [found] = await db()<{ paidAt: Date; slaBreachedAt: Date | null; status: CaseStatus }[]>`select paid_at, sla_breached_at, status from cases.cases where id = ${caseId}`;
    return found!;
  };
  /** A paid case of `urgency` in `until`, and a clock `hours` after its payment. */
  async function paidCase(urgency: 'standard' | 'urgent', until: 'triage' | 'matching' | 'assigned') {
    const c = await submittedCase(api);
    await advanceCase(api, c, { source, urgency, until });
    const paidAt = (await row(c.caseId)).paidAt;
    return { ...c, paidAt, after: (hours: number) => () => new Date(paidAt.getTime() + hours * HOUR) };
  }

  it('flags an overdue case once, in the status it was in; sweeping again and its late delivery add nothing', async () => {
    const c = await paidCase('urgent', 'assigned');
    const start = await breaches();
    const late = c.after(49);

    assert.deepEqual(await flagOverdueCases({ caseIds: [c.caseId], now: late }), { flagged: 1 });
    assert.deepEqual((await flagEvents(c.caseId)).map((e) => e.data), [
      { caseId: c.caseId, ownerId: c.ownerId, status: 'assigned', urgency: 'urgent', promisedBy: new Date(c.paidAt.getTime() + 48 * HOUR).toISOString() },
    ]);
    assert.equal((await row(c.caseId)).slaBreachedAt?.getTime(), late().getTime());
    assert.deepEqual(await breachesSince(start), { assigned: 1 });

    assert.deepEqual(await flagOverdueCases({ caseIds: [c.caseId], now: c.after(60) }), { flagged: 0 });
    assert.equal((await flagEvents(c.caseId)).length, 1);
    assert.deepEqual(await breachesSince(start), { assigned: 1 });

    // Now late by the wall clock too, then delivered: the delivery would count a breach, but the sweep already did.
    await db()`update cases.cases set paid_at = ${new Date(Date.now() - 72 * HOUR)} where id = ${c.caseId}`;
    await reportFact(source, OpinionStartedV1, { caseId: c.caseId, opinionId: 'op1', authorId: 'pro-1' });
    await reachesStatus(api, c.caseId, c.token, 'in_review');
    await deliverOpinion(source, c, 'urgent');
    await reachesStatus(api, c.caseId, c.token, 'delivered');
    assert.deepEqual(await breachesSince(start), { assigned: 1 });
    assert.equal((await flagEvents(c.caseId)).length, 1);
  });

  it('leaves a case within its promise alone, and flags it once the promise has run out', async () => {
    const c = await paidCase('standard', 'matching');
    const start = await breaches();
    assert.deepEqual(await flagOverdueCases({ caseIds: [c.caseId], now: c.after(119) }), { flagged: 0 });
    assert.equal((await row(c.caseId)).slaBreachedAt, null);
    assert.deepEqual(await flagEvents(c.caseId), []);
    assert.deepEqual(await breachesSince(start), {});

    assert.deepEqual(await flagOverdueCases({ caseIds: [c.caseId], now: c.after(121) }), { flagged: 1 });
    assert.deepEqual((await flagEvents(c.caseId)).map((e) => e.data.status), ['matching']);
    assert.deepEqual(await breachesSince(start), { matching: 1 });
  });

  it('shows the flag in the case view (owner and ops, detail and list): its time once flagged, null for a case within its promise', async () => {
    type Shown = { id: string; slaBreachedAt: string | null };
    const slaShown = async (caseId: string, token: string) => {
      const detail = (await (await api.get(`/v1/cases/${caseId}`, token)).json()) as Shown;
      const list = (await (await api.get('/v1/cases', token)).json()) as { items: Shown[] };
      return { detail: detail.slaBreachedAt, listed: list.items.find((item) => item.id === caseId)?.slaBreachedAt };
    };
    const late = await paidCase('urgent', 'matching');
    const kept = await paidCase('urgent', 'matching');
    const ops = await signedInOps(api);
    const flaggedAt = late.after(49);
    assert.deepEqual(await flagOverdueCases({ caseIds: [late.caseId], now: flaggedAt }), { flagged: 1 });
    assert.deepEqual(await flagOverdueCases({ caseIds: [kept.caseId], now: kept.after(47) }), { flagged: 0 });

    assert.deepEqual(await slaShown(late.caseId, late.token), { detail: flaggedAt().toISOString(), listed: flaggedAt().toISOString() });
    assert.deepEqual(await slaShown(kept.caseId, kept.token), { detail: null, listed: null });
    assert.equal((await slaShown(late.caseId, ops.token)).detail, flaggedAt().toISOString());
    assert.equal((await slaShown(kept.caseId, ops.token)).detail, null);
  });

  it('two sweeps at once flag a case once', async () => {
    const c = await paidCase('urgent', 'matching');
    const start = await breaches();
    const results = await Promise.all([1, 2, 3].map(() => flagOverdueCases({ caseIds: [c.caseId], now: c.after(50) })));
    assert.equal(results.reduce((total, r) => total + r.flagged, 0), 1);
    assert.equal((await flagEvents(c.caseId)).length, 1);
    assert.deepEqual(await breachesSince(start), { matching: 1 });
  });

  it('does not flag a cancelled case, nor a delivered one (a late delivery is counted by the delivery)', async () => {
    const cancelled = await paidCase('urgent', 'matching');
    assert.equal((await api.post(`/v1/cases/${cancelled.caseId}/cancel`, undefined, cancelled.token)).status, 200);

    const delivered = await paidCase('urgent', 'assigned');
    await reportFact(source, OpinionStartedV1, { caseId: delivered.caseId, opinionId: 'op1', authorId: 'pro-1' });
    await reachesStatus(api, delivered.caseId, delivered.token, 'in_review');
    await deliverOpinion(source, delivered, 'urgent');
    await reachesStatus(api, delivered.caseId, delivered.token, 'delivered');

    const start = await breaches();
    assert.deepEqual(await flagOverdueCases({ caseIds: [cancelled.caseId, delivered.caseId], now: cancelled.after(100) }), { flagged: 0 });
    assert.deepEqual(await flagEvents(cancelled.caseId), []);
    assert.deepEqual(await flagEvents(delivered.caseId), []);
    assert.equal((await row(cancelled.caseId)).slaBreachedAt, null);
    assert.deepEqual(await breachesSince(start), {});
  });

  it('is scheduled every five minutes and runs through the function\'s cron route, within its scope', async () => {
    assert.equal(cronTriggers.find((t) => t.function === 'cases' && t.job === 'flag-overdue-cases')?.schedule, '*/5 * * * *');
    // Not triaged yet, so still standard: promised within 120 hours.
    const c = await paidCase('standard', 'triage');
    const cases = createCases({ slaSweep: { caseIds: [c.caseId], now: c.after(120.5) } });
    assert.ok(cases.jobs.includes('flag-overdue-cases'));
    const token = await signPlatformToken(config().platformSecret, 'cases');
    const res = await cases.app.request('/_cron/flag-overdue-cases', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual((await flagEvents(c.caseId)).map((e) => e.data.status), ['triage']);
  });
});
