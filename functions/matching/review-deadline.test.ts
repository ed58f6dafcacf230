import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { OpinionApprovedV1 } from '../../events/opinions.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { activeAssignments } from './assignment-queries.ts';
import { reclaimOverdue } from './sweeps.ts';
import { deliver, matchingEvents, offersOf, reviewAccepted } from './testing.ts';

const HOUR = 3_600_000;

describe('review deadlines', () => {
  after(() => closeDb());

  it('an accepted review not done by its deadline is taken back (review.revoked.v1) and offered again without the reviewer', async () => {
    const { clock, matching, caseId, reviewer, next } = await reviewAccepted();
    const scope = { caseIds: [caseId] };
    clock.advance(23 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 0 }, 'not before the 24 h review deadline');
    clock.advance(2 * HOUR);
    const [first, second] = await Promise.all([reclaimOverdue(matching.settings, scope), reclaimOverdue(matching.settings, scope)]);
    assert.equal(first!.reclaimed + second!.reclaimed, 1, 'taken back once');
    assert.deepEqual((await matchingEvents(caseId, 'review.revoked.v1')).map((e) => e.data), [{ caseId, professionalId: reviewer, round: 1, reason: 'deadline-missed' }]);
    assert.deepEqual((await matchingEvents(caseId, 'assignment.revoked.v1')).length, 0, 'the author keeps the case');
    assert.equal((await activeAssignments(db(), caseId)).length, 0, 'the author\'s opinion was submitted; nobody holds the review');
    const open = (await offersOf(caseId)).filter((o) => o.state === 'open');
    assert.deepEqual(open.map((o) => [o.kind, o.professionalId, o.tier]), [['review', next, 1]], 'the review offered again from the top');
    const [stats] = await db()<{ opinionsLate: number; activeCases: number }[]>`select opinions_late, active_cases from matching.professionals where id = ${reviewer}`;
    assert.deepEqual({ ...stats }, { opinionsLate: 1, activeCases: 0 });
  });

  it('a review decided in time is never taken back, however late the author signs', async () => {
    const { clock, matching, caseId, reviewer } = await reviewAccepted();
    clock.advance(2 * HOUR);
    await deliver(matching, OpinionApprovedV1, { caseId, opinionId: randomUUID(), reviewerId: reviewer, round: 1 });
    clock.advance(100 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, { caseIds: [caseId] }), { reclaimed: 0 });
    assert.equal((await matchingEvents(caseId, 'review.revoked.v1')).length, 0);
    const [stats] = await db()<{ opinionsOnTime: number }[]>`select opinions_on_time from matching.professionals where id = ${reviewer}`;
    assert.equal(stats?.opinionsOnTime, 1);
  });
});
