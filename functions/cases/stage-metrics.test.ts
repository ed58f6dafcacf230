import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventData, EventDefinition } from '../../events/envelope.ts';
import { FollowUpEndedV1, OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { INSTRUMENTS } from '../../shared/telemetry/metrics.ts';
import { recordedMetrics, type RecordedMetrics } from '../../shared/telemetry/testing.ts';
import { uniqueName } from '../../test/support/names.ts';
import { moveOnEvent } from './consumers.ts';
import { STATUSES, type CaseStatus } from './lifecycle.ts';
import { advanceCase, casesRuntime, deliverOpinion, reachesStatus, reportFact, submittedCase, type Client } from './testing.ts';

const source = uniqueName('facts');
const HOUR = 3_600_000;

/** Reports a fact as the function that owns it would: through the outbox. */
const report = <D extends EventDefinition>(definition: D, data: EventData<D>) => reportFact(source, definition, data);

/** Makes the case's latest timeline row `seconds` older: the case has been in its current status that long. */
const age = (caseId: string, seconds: number) => db()`
  update cases.timeline set at = at - make_interval(secs => ${seconds})
  where id = (select max(id) from cases.timeline where case_id = ${caseId})`;

/** Dates a case's history: when it was paid, and when it entered each status. */
async function backdate(caseId: string, paidAt: Date, entered: Partial<Record<CaseStatus, Date>>) {
  await db()`update cases.cases set paid_at = ${paidAt} where id = ${caseId}`;
  for (const [status, at] of Object.entries(entered)) await db()`update cases.timeline set at = ${at} where case_id = ${caseId} and status = ${status}`;
}

describe('case metrics', () => {
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

  /** Per status: how many cases left it and the seconds they spent there; and breaches per status. */
  async function snapshot() {
    const durations = Object.fromEntries(await Promise.all(STATUSES.map(async (s) => [s, await recorded.histogram(INSTRUMENTS.stageDuration.name, { stage: s })] as const)));
    const breaches = Object.fromEntries(await Promise.all(STATUSES.map(async (s) => [s, await recorded.sum(INSTRUMENTS.slaBreaches.name, { stage: s })] as const)));
    return { durations, breaches };
  }
  const since = (before: Awaited<ReturnType<typeof snapshot>>, after: Awaited<ReturnType<typeof snapshot>>) => ({
    left: Object.fromEntries(STATUSES.map((s) => [s, after.durations[s]!.count - before.durations[s]!.count]).filter(([, n]) => n !== 0)),
    seconds: (s: CaseStatus) => after.durations[s]!.sum - before.durations[s]!.sum,
    breaches: Object.fromEntries(STATUSES.map((s) => [s, after.breaches[s]! - before.breaches[s]!]).filter(([, n]) => n !== 0)),
  });

  const reaches = (caseId: string, token: string, status: string) => reachesStatus(api, caseId, token, status);

  /** Pays, triages, assigns and starts the opinion of a submitted case, through the events that do it in production. */
  const toInReview = (c: { caseId: string; token: string; ownerId: string }, urgency: 'standard' | 'urgent', agedOnArrival: Partial<Record<CaseStatus, number>> = {}) =>
    advanceCase(api, c, { source, urgency, until: 'in_review', agedOnArrival });
  const deliver = (c: { caseId: string; ownerId: string }, urgency: 'standard' | 'urgent') => deliverOpinion(source, c, urgency);

  it('records the seconds a case spent in each status once, when it leaves it; a case delivered in time breaches nothing', async () => {
    const start = await snapshot();
    const c = await submittedCase(api);
    await toInReview(c, 'standard', { triage: 600, matching: 5400, assigned: 1800, in_review: 7200 });
    // Paid three days ago: late for an urgent case, in time for a standard one (five days).
    await db()`update cases.cases set paid_at = ${new Date(Date.now() - 72 * HOUR)} where id = ${c.caseId}`;
    await deliver(c, 'standard');
    await reaches(c.caseId, c.token, 'delivered');
    await report(FollowUpEndedV1, { caseId: c.caseId, opinionId: 'op1' });
    await reaches(c.caseId, c.token, 'closed');

    const moved = since(start, await snapshot());
    assert.deepEqual(moved.left, { draft: 1, awaiting_payment: 1, triage: 1, matching: 1, assigned: 1, in_review: 1, delivered: 1 });
    for (const [status, seconds] of [['triage', 600], ['matching', 5400], ['assigned', 1800], ['in_review', 7200]] as const) {
      assert.ok(moved.seconds(status) >= seconds && moved.seconds(status) < seconds + 30, `${status}: ${moved.seconds(status)} s`);
    }
    assert.ok(moved.seconds('draft') >= 0 && moved.seconds('draft') < 30);
    assert.deepEqual(moved.breaches, {});
  });

  it('counts a case delivered after its promise once, in the status it was in when the promise ran out', async () => {
    const c = await submittedCase(api);
    await toInReview(c, 'urgent');
    const ago = (hours: number) => new Date(Date.now() - hours * HOUR);
    // Urgent: 48 hours from payment, so the promise ran out 24 hours ago — while the case sat assigned.
    await backdate(c.caseId, ago(72), { triage: ago(72), matching: ago(60), assigned: ago(36), in_review: ago(12) });
    const start = await snapshot();
    await deliver(c, 'urgent');
    await reaches(c.caseId, c.token, 'delivered');
    assert.deepEqual(since(start, await snapshot()).breaches, { assigned: 1 });

    // The same fact again (as a redelivery under another id would), and the case closing, count nothing more.
    assert.equal(await transaction((tx) => moveOnEvent(tx, c.caseId, 'deliver', OpinionDeliveredV1.type)), false);
    await report(FollowUpEndedV1, { caseId: c.caseId, opinionId: 'op1' });
    await reaches(c.caseId, c.token, 'closed');
    const end = since(start, await snapshot());
    assert.deepEqual(end.breaches, { assigned: 1 });
    assert.deepEqual(end.left, { in_review: 1, delivered: 1 });
  });

  it('a move whose transaction rolls back records nothing; the same move committed does', async () => {
    const { caseId } = await submittedCase(api);
    await age(caseId, 120);
    const start = await snapshot();
    await assert.rejects(
      transaction(async (tx) => {
        assert.equal(await moveOnEvent(tx, caseId, 'confirm_payment', 'test'), true);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.deepEqual(since(start, await snapshot()).left, {});
    assert.equal(await transaction((tx) => moveOnEvent(tx, caseId, 'confirm_payment', 'test')), true);
    const moved = since(start, await snapshot());
    assert.deepEqual(moved.left, { awaiting_payment: 1 });
    assert.ok(moved.seconds('awaiting_payment') >= 120 && moved.seconds('awaiting_payment') < 150);
  });
});
