import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ProfessionalStatusChangedV1 } from '../../events/identity.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { createMatching } from './app.ts';
import { acceptOffer } from './respond.ts';
import { expireOffers } from './sweeps.ts';
import { attempt, deliver, matchingEvents, newPro, offersOf, requestOf, testClock, triagedCase, uniqueLanguage } from './testing.ts';

const MIN = 60_000;

describe('pausing withdraws open offers', () => {
  after(() => closeDb());

  it('a professional paused after three expired offers loses their other open offers at once; the case widens; their accept is 409', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now, bestFitCount: 1 });
    const [onlyTheirs, shared] = [uniqueLanguage(), uniqueLanguage()];
    const snoozer = await newPro(matching, { grade: 'G2', languages: [onlyTheirs, shared] });
    const other = await newPro(matching, { grade: 'G3', languages: [shared] });
    const snoozed = [];
    for (let i = 0; i < 3; i++) snoozed.push((await triagedCase(matching, { language: onlyTheirs, minGrade: 'G2' })).caseId);
    clock.advance(100 * MIN);
    const { caseId } = await triagedCase(matching, { language: shared, minGrade: 'G2' });
    const live = (await offersOf(caseId))[0]!;
    assert.deepEqual([live.professionalId, live.tier], [snoozer, 1], 'tier 1: the closest grade, the one about to be paused');

    clock.advance(21 * MIN); // the first three expire; the fourth offer has 99 minutes left
    await expireOffers(matching.settings, { caseIds: [...snoozed, caseId] });
    assert.deepEqual((await matchingEvents(snoozer, 'matching.professional.paused.v1')).map((e) => e.data), [{ professionalId: snoozer, expiredInARow: 3 }]);
    const offers = await offersOf(caseId);
    assert.equal(offers.find((o) => o.id === live.id)?.state, 'withdrawn', 'withdrawn in the pausing transaction');
    assert.deepEqual(offers.filter((o) => o.state === 'open').map((o) => [o.professionalId, o.tier]), [[other, 2]], 'widened to the next tier at once');
    assert.equal((await requestOf(caseId)).tier, 2);
    assert.equal(await attempt(() => acceptOffer(matching.settings, { offerId: live.id, professionalId: snoozer })), 409);
    const [streak] = await db()<{ expiredStreak: number }[]>`select expired_streak from matching.professionals where id = ${snoozer}`;
    assert.equal(streak?.expiredStreak, 3, 'a withdrawn offer does not count as expired');
  });

  it('a professional paused or suspended by identity loses their open offers; the case widens; their accept is 409 like any stale offer', async () => {
    for (const to of ['paused', 'suspended'] as const) {
      const clock = testClock();
      const matching = createMatching({ now: clock.now, bestFitCount: 1 });
      const lang = uniqueLanguage();
      const leaving = await newPro(matching, { grade: 'G2', languages: [lang] });
      const other = await newPro(matching, { grade: 'G3', languages: [lang] });
      const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G2' });
      const [offer] = await offersOf(caseId);
      assert.equal(offer?.professionalId, leaving);
      await deliver(matching, ProfessionalStatusChangedV1, { professionalId: leaving, from: 'active', to, changedBy: 'ops-test' });
      const offers = await offersOf(caseId);
      assert.equal(offers.find((o) => o.id === offer.id)?.state, 'withdrawn', to);
      assert.deepEqual(offers.filter((o) => o.state === 'open').map((o) => [o.professionalId, o.tier]), [[other, 2]], to);
      assert.equal(await attempt(() => acceptOffer(matching.settings, { offerId: offer.id, professionalId: leaving })), 409, to);
    }
  });

  it('the expire-offers sweep widens a search a pause left without open offers while another transaction held it', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now, bestFitCount: 1 });
    const lang = uniqueLanguage();
    const first = await newPro(matching, { grade: 'G2', languages: [lang] });
    const second = await newPro(matching, { grade: 'G3', languages: [lang] });
    const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G2' });
    // What a pause leaves behind when it could not lock the search: its only offer withdrawn, the search still open.
    await db()`update matching.offers set state = 'withdrawn' where case_id = ${caseId} and professional_id = ${first}`;
    assert.deepEqual(await expireOffers(matching.settings, { caseIds: [caseId] }), { expired: 0, escalated: 1 });
    assert.deepEqual((await offersOf(caseId)).filter((o) => o.state === 'open').map((o) => [o.professionalId, o.tier]), [[second, 2]]);
  });
});
