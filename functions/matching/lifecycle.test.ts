import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CaseCancelledV1 } from '../../events/case.ts';
import { ReviewRequestedV1 } from '../../events/matching.ts';
import { OpinionSubmittedV1 } from '../../events/opinions.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { activeAssignments } from './assignment-queries.ts';
import { createMatching } from './app.ts';
import { acceptOffer } from './respond.ts';
import { expireOffers, reclaimOverdue } from './sweeps.ts';
import { deliver, matchingEvents, newPro, offersOf, requestOf, testClock, triagedCase, uniqueLanguage } from './testing.ts';

const HOUR = 3_600_000;

describe('assignments after acceptance', () => {
  after(() => closeDb());

  it('a missed opinion deadline takes the case back (assignment.revoked.v1), re-offers it without them, and their on-time rate drops', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now, bestFitCount: 1 });
    const lang = uniqueLanguage();
    const late = await newPro(matching, { grade: 'G2', languages: [lang] });
    const next = await newPro(matching, { grade: 'G3', languages: [lang] });
    const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G2' });
    const [offer] = await offersOf(caseId);
    assert.equal(offer?.professionalId, late);
    await acceptOffer(matching.settings, { offerId: offer.id, professionalId: late });
    const scope = { caseIds: [caseId] };

    clock.advance(71 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 0 }, 'not before the 72 h deadline');
    clock.advance(2 * HOUR);
    const [first, second] = await Promise.all([reclaimOverdue(matching.settings, scope), reclaimOverdue(matching.settings, scope)]);
    assert.equal(first!.reclaimed + second!.reclaimed, 1, 'taken back once, however many sweeps run');
    const revoked = await matchingEvents(caseId, 'assignment.revoked.v1');
    assert.deepEqual(revoked.map((e) => e.data), [{ caseId, professionalId: late, reason: 'deadline-missed' }]);
    assert.equal((await activeAssignments(db(), caseId)).length, 0);
    const open = (await offersOf(caseId)).filter((o) => o.state === 'open');
    assert.deepEqual(open.map((o) => [o.professionalId, o.tier]), [[next, 1]], 'offered again from the top, without the one who lost it');
    const [stats] = await db()<{ opinionsLate: number; activeCases: number }[]>`select opinions_late, active_cases from matching.professionals where id = ${late}`;
    assert.deepEqual({ ...stats }, { opinionsLate: 1, activeCases: 0 });

    // The new winner delivers on time: the deadline stops and nothing is taken back.
    await acceptOffer(matching.settings, { offerId: open[0]!.id, professionalId: next });
    await deliver(matching, OpinionSubmittedV1, { caseId, opinionId: randomUUID(), authorId: next, peerReview: false });
    clock.advance(100 * HOUR);
    assert.deepEqual(await reclaimOverdue(matching.settings, scope), { reclaimed: 0 });
    const [onTime] = await db()<{ opinionsOnTime: number }[]>`select opinions_on_time from matching.professionals where id = ${next}`;
    assert.equal(onTime?.opinionsOnTime, 1);
  });

  it('a cancelled case stops: open offers withdrawn, nothing offered again', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now });
    const lang = uniqueLanguage();
    for (let i = 0; i < 2; i++) await newPro(matching, { grade: 'G2', languages: [lang] });
    const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G2' });
    assert.equal((await offersOf(caseId)).filter((o) => o.state === 'open').length, 2);
    await deliver(matching, CaseCancelledV1, { caseId, from: 'matching' });
    assert.ok((await offersOf(caseId)).every((o) => o.state === 'withdrawn'));
    assert.equal((await matchingEvents(caseId, 'offer.withdrawn.v1')).length, 2);
    clock.advance(10 * HOUR);
    await expireOffers(matching.settings, { caseIds: [caseId] });
    assert.equal((await requestOf(caseId)).state, 'cancelled');
    assert.equal((await offersOf(caseId)).length, 2);
  });

  it('review.requested.v1 offers a review to seniors of the specialty (never the author); the winner gets offer.accepted.v1 kind review', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now, bestFitCount: 5 });
    const lang = uniqueLanguage();
    const specialty = 'nephrology';
    const author = await newPro(matching, { grade: 'G3', specialties: [specialty], languages: [lang] });
    const { caseId } = await triagedCase(matching, { language: lang, specialty, minGrade: 'G3' });
    const [offer] = await offersOf(caseId);
    await acceptOffer(matching.settings, { offerId: offer!.id, professionalId: author });
    // Seniors in another language and country still qualify: a reviewer reads the opinion, not the patient.
    const senior = await newPro(matching, { grade: 'G4', specialties: [specialty], languages: ['xx'], country: 'DE' });
    await deliver(matching, ReviewRequestedV1, { caseId, specialty, minGrade: 'G4', excludeProfessionalIds: [author] });
    const reviews = (await offersOf(caseId)).filter((o) => o.kind === 'review');
    assert.ok(reviews.some((o) => o.professionalId === senior));
    assert.ok(reviews.every((o) => o.professionalId !== author));
    const mine = reviews.find((o) => o.professionalId === senior)!;
    assert.deepEqual(Number(mine.feeAmount), 12_500, 'half the G4 standard fee');
    await acceptOffer(matching.settings, { offerId: mine.id, professionalId: senior });
    const accepted = (await matchingEvents(caseId, 'offer.accepted.v1')).map((e) => e.data);
    assert.deepEqual(accepted.map((d) => [d.kind, d.professionalId, d.peerReviewRequired]), [['opinion', author, false], ['review', senior, true]]);
    assert.equal((await activeAssignments(db(), caseId)).length, 2, 'one opinion and one review assignment');
  });
});
