import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { OpinionApprovedV1, OpinionChangesRequestedV1, OpinionSubmittedV1 } from '../../events/opinions.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { activeAssignments } from './assignment-queries.ts';
import { reclaimOverdue } from './sweeps.ts';
import { deliver, matchingEvents, offersOf, reviewAccepted } from './testing.ts';

const HOUR = 3_600_000;

/** The case's active review assignment (its holder and deadline), if any. */
async function activeReview(caseId: string) {
  const review = (await activeAssignments(db(), caseId)).find((a) => a.kind === 'review');
  return review && { professionalId: review.professionalId, dueAt: review.dueAt.toISOString() };
}

/** The latest review round matching knows was submitted for the case's opinion. */
async function roundsSubmitted(caseId: string) {
  const [row] = await db()<{ submissions: number }[]>`select submissions from matching.opinions where case_id = ${caseId}`;
  return row?.submissions;
}

async function statsOf(professionalId: string) {
  const [row] = await db()<{ opinionsOnTime: number; opinionsLate: number; activeCases: number }[]>`
    select opinions_on_time, opinions_late, active_cases from matching.professionals where id = ${professionalId}`;
  return { ...row };
}

describe('review rounds after changes were requested', () => {
  after(() => closeDb());

  it('the resubmitted round 2 gets a fresh review deadline; missed, the review is taken back with round 2', async () => {
    const { clock, matching, caseId, reviewer, next, submitted, decided, scope } = await reviewAccepted();
    clock.advance(2 * HOUR);
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    assert.equal(await activeReview(caseId), undefined, 'round 1 is done');
    clock.advance(30 * HOUR);
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 });
    assert.deepEqual(await activeReview(caseId), { professionalId: reviewer, dueAt: new Date(clock.now().getTime() + 24 * HOUR).toISOString() }, 'round 2: 24 h from the resubmission');
    assert.equal((await statsOf(reviewer)).activeCases, 1);
    clock.advance(23 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 0 }, 'not before the round-2 deadline');
    clock.advance(2 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 1 });
    assert.deepEqual((await matchingEvents(caseId, 'review.revoked.v1')).map((e) => e.data), [{ caseId, professionalId: reviewer, round: 2, reason: 'deadline-missed' }]);
    assert.equal(await activeReview(caseId), undefined);
    const open = (await offersOf(caseId)).filter((o) => o.state === 'open');
    assert.deepEqual(open.map((o) => [o.kind, o.professionalId]), [['review', next]], 'round 2 offered again, never to the reviewer who missed it');
    assert.deepEqual(await statsOf(reviewer), { opinionsOnTime: 1, opinionsLate: 1, activeCases: 0 });
  });

  it('a round decided in time closes it, by changes requested or by approval', async () => {
    const { clock, matching, caseId, reviewer, submitted, decided, scope } = await reviewAccepted();
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 });
    clock.advance(20 * HOUR);
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 2 });
    assert.equal(await activeReview(caseId), undefined, 'round 2 is done');
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 3 });
    assert.equal((await activeReview(caseId))?.professionalId, reviewer, 'round 3 is owed');
    clock.advance(20 * HOUR);
    await deliver(matching, OpinionApprovedV1, { ...decided, round: 3 });
    assert.equal(await activeReview(caseId), undefined, 'approved: nothing more is owed');
    clock.advance(100 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 0 });
    assert.equal((await matchingEvents(caseId, 'review.revoked.v1')).length, 0);
    assert.deepEqual(await statsOf(reviewer), { opinionsOnTime: 3, opinionsLate: 0, activeCases: 0 });
  });

  it('a submission that arrives after the approval of its round, or again, does not reopen the review', async () => {
    const { clock, matching, caseId, reviewer, submitted, decided, scope } = await reviewAccepted();
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    await deliver(matching, OpinionApprovedV1, { ...decided, round: 2 }); // overtook the resubmission it approves
    const resubmission = randomUUID();
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 }, resubmission);
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 }, resubmission); // redelivered
    assert.equal(await activeReview(caseId), undefined);
    clock.advance(100 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 0 });
    assert.equal((await matchingEvents(caseId, 'review.revoked.v1')).length, 0);
    assert.deepEqual(await statsOf(reviewer), { opinionsOnTime: 1, opinionsLate: 0, activeCases: 0 });
  });

  it('a submission that arrives after the changes requested on its round opens only the next round, once', async () => {
    const { clock, matching, caseId, reviewer, submitted, decided, scope } = await reviewAccepted();
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 2 }); // overtook the round-2 submission
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 }); // round 2's, late
    assert.equal(await activeReview(caseId), undefined, 'round 2 was already decided');
    const third = randomUUID();
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 3 }, third);
    const round3 = await activeReview(caseId);
    assert.equal(round3?.professionalId, reviewer, 'round 3 is owed');
    clock.advance(HOUR);
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 3 }, third); // redelivered: the deadline does not move
    assert.deepEqual(await activeReview(caseId), round3);
    clock.advance(24 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 1 });
    assert.deepEqual((await matchingEvents(caseId, 'review.revoked.v1')).map((e) => e.data.round), [3]);
  });
});

// Counting submissions went wrong exactly here; the round in the event cannot.
describe('review rounds carried by opinion.submitted.v1', () => {
  after(() => closeDb());

  it('a submission delivered again under a new id (processed ids pruned, re-published) opens no extra round', async () => {
    const { clock, matching, caseId, submitted, decided, scope } = await reviewAccepted();
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 });
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 2 });
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 }, randomUUID());
    assert.equal(await activeReview(caseId), undefined, 'round 2 was decided and nothing newer was submitted');
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 1 }, randomUUID());
    assert.equal(await activeReview(caseId), undefined, 'nor by round 1 again');
    clock.advance(100 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 0 });
    assert.equal(await roundsSubmitted(caseId), 2);
  });

  it('a resubmission redelivered while its round is owed keeps the round and its deadline', async () => {
    const { clock, matching, caseId, submitted, decided, scope } = await reviewAccepted();
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 });
    const owed = await activeReview(caseId);
    clock.advance(10 * HOUR);
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 }, randomUUID());
    assert.deepEqual(await activeReview(caseId), owed);
    assert.equal(await roundsSubmitted(caseId), 2, 'not counted as round 3');
    clock.advance(15 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 1 }, 'due 24 h after the first delivery');
    assert.deepEqual((await matchingEvents(caseId, 'review.revoked.v1')).map((e) => e.data.round), [2]);
  });

  it('a resubmission whose predecessor never arrived opens its own round; the predecessor, late, moves nothing back', async () => {
    const { clock, matching, caseId, reviewer, submitted, decided, scope } = await reviewAccepted();
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 2 }); // round 2's submission is still on its way
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 3 });
    const round3 = await activeReview(caseId);
    assert.equal(round3?.professionalId, reviewer, 'round 3 is owed');
    clock.advance(HOUR);
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 2 }); // late
    assert.deepEqual(await activeReview(caseId), round3, 'the deadline does not move');
    assert.equal(await roundsSubmitted(caseId), 3);
    clock.advance(24 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 1 });
    assert.deepEqual((await matchingEvents(caseId, 'review.revoked.v1')).map((e) => e.data.round), [3]);
  });

  it('an event without round (an older producer) is still counted: submission n is round n', async () => {
    const { clock, matching, caseId, reviewer, submitted, decided, scope } = await reviewAccepted({ legacy: true });
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 1 });
    await deliver(matching, OpinionSubmittedV1, submitted);
    assert.equal((await activeReview(caseId))?.professionalId, reviewer, 'round 2 is owed');
    await deliver(matching, OpinionChangesRequestedV1, { ...decided, round: 2 });
    await deliver(matching, OpinionSubmittedV1, { ...submitted, round: 3 }); // the new producer takes over
    assert.equal(await roundsSubmitted(caseId), 3);
    clock.advance(25 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 1 });
    assert.deepEqual((await matchingEvents(caseId, 'review.revoked.v1')).map((e) => e.data.round), [3]);
  });
});
