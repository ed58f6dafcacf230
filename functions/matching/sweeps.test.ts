import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { createMatching } from './app.ts';
import { rescueQueue } from './listing-queries.ts';
import { acceptOffer } from './respond.ts';
import { expireOffers } from './sweeps.ts';
import { matchingEvents, newPro, offersOf, requestOf, testClock, triagedCase, uniqueLanguage } from './testing.ts';

const MIN = 60_000;

describe('expiry and widening', () => {
  after(() => closeDb());

  it('widens through every tier (preferred, best fit, all, adjacent or one grade lower) to the rescue queue', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now, bestFitCount: 2 });
    const lang = uniqueLanguage();
    const pro = (grade: 'G1' | 'G2' | 'G3' | 'G4', extra: Partial<Parameters<typeof newPro>[1]> = {}) =>
      newPro(matching, { grade, specialties: ['cardiology'], languages: [lang], ...extra });
    const preferred = await pro('G4');
    const [a, b, c] = [await pro('G3'), await pro('G3'), await pro('G4')];
    const adjacent = await pro('G3', { specialties: ['internal-medicine'] });
    const lower = await pro('G2');
    const neverOffered = [
      await pro('G1'), // two grades lower
      await pro('G3', { languages: ['zz'] }),
      await pro('G3', { country: 'DE' }),
      await pro('G3', { mfa: false }),
      await pro('G3', { status: 'suspended' }),
      await pro('G3', { specialties: ['dermatology'] }),
    ];
    const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G3', preferredProfessionalId: preferred });
    const scope = { caseIds: [caseId] };
    const openTier = async () => (await offersOf(caseId)).filter((o) => o.state === 'open');

    let open = await openTier();
    assert.deepEqual(open.map((o) => [o.professionalId, o.tier]), [[preferred, 0]], 'tier 0: the preferred professional holds it alone');
    assert.equal(open[0]!.expiresAt.getTime(), clock.now().getTime() + 60 * MIN, 'standard hold window: 1 h');

    clock.advance(59 * MIN);
    assert.deepEqual(await expireOffers(matching.settings, scope), { expired: 0, escalated: 0 }, 'nothing expires early');
    clock.advance(2 * MIN);
    assert.deepEqual(await expireOffers(matching.settings, scope), { expired: 1, escalated: 1 });
    open = await openTier();
    assert.deepEqual(open.map((o) => o.professionalId).sort(), [a, b].sort(), 'tier 1: the best-fit two (closest grade first)');
    assert.ok(open.every((o) => o.tier === 1 && o.expiresAt.getTime() === clock.now().getTime() + 120 * MIN));

    clock.advance(121 * MIN);
    await expireOffers(matching.settings, scope);
    open = await openTier();
    assert.deepEqual(open.map((o) => [o.professionalId, o.tier]), [[c, 2]], 'tier 2: everyone else of the specialty');

    clock.advance(121 * MIN);
    await expireOffers(matching.settings, scope);
    open = await openTier();
    assert.deepEqual(open.map((o) => o.professionalId).sort(), [adjacent, lower].sort(), 'tier 3: adjacent specialty or one grade lower');
    assert.ok(open.every((o) => o.tier === 3));

    clock.advance(121 * MIN);
    await expireOffers(matching.settings, scope);
    assert.equal((await requestOf(caseId)).state, 'rescue');
    const rescue = await matchingEvents(caseId, 'matching.case.rescue-needed.v1');
    assert.deepEqual(rescue.map((e) => e.data), [{ caseId, kind: 'opinion', specialty: 'cardiology', urgency: 'standard' }]);
    assert.ok((await rescueQueue(db(), 10_000)).some((r) => r.caseId === caseId), 'in the ops rescue queue');
    const offered = new Set((await offersOf(caseId)).map((o) => o.professionalId));
    for (const id of neverOffered) assert.ok(!offered.has(id), 'an ineligible professional was offered the case');
    assert.equal((await matchingEvents(caseId, 'offer.expired.v1')).length, 6);
    assert.equal((await matchingEvents(caseId, 'offer.created.v1')).length, 6);
    // A sweep after the rescue changes nothing.
    assert.deepEqual(await expireOffers(matching.settings, scope), { expired: 0, escalated: 0 });
  });

  it('a tier 3 winner must have the opinion peer reviewed; urgent windows are 15 min and the opinion due in 24 h', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now });
    const lang = uniqueLanguage();
    const lower = await newPro(matching, { grade: 'G2', languages: [lang] });
    const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G3', urgency: 'urgent' });
    const [offer] = await offersOf(caseId);
    assert.equal(offer?.tier, 3, 'tiers 0–2 found nobody, tier 3 found the G2');
    assert.equal(offer.expiresAt.getTime() - clock.now().getTime(), 15 * MIN);
    assert.deepEqual(await acceptOffer(matching.settings, { offerId: offer.id, professionalId: lower }), { caseId });
    const [accepted] = await matchingEvents(caseId, 'offer.accepted.v1');
    assert.deepEqual(accepted?.data, {
      offerId: offer.id, caseId, professionalId: lower, kind: 'opinion', tier: 3, peerReviewRequired: true,
      opinionDueAt: new Date(clock.now().getTime() + 24 * 60 * MIN).toISOString(),
    });
  });

  it('two sweeps at the same moment never escalate a case twice', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now, bestFitCount: 1 });
    const lang = uniqueLanguage();
    const pros = [];
    for (let i = 0; i < 4; i++) pros.push(await newPro(matching, { grade: 'G2', languages: [lang] }));
    pros.push(await newPro(matching, { grade: 'G1', languages: [lang] })); // so tier 3 (one grade lower) finds someone
    const cases = [];
    for (let i = 0; i < 3; i++) cases.push((await triagedCase(matching, { language: lang, minGrade: 'G2' })).caseId);
    const scope = { caseIds: cases };
    for (let round = 0; round < 2; round++) {
      const before: number[] = await Promise.all(cases.map(async (id) => (await requestOf(id)).tier));
      clock.advance(121 * MIN);
      const results = await Promise.all([expireOffers(matching.settings, scope), expireOffers(matching.settings, scope), expireOffers(matching.settings, scope)]);
      assert.equal(results.reduce((n, r) => n + r.escalated, 0), cases.length, 'each case escalated exactly once');
      for (const [i, id] of cases.entries()) {
        const request = await requestOf(id);
        assert.equal(request.tier, before[i]! + 1, 'one tier up, not two');
        const open = (await offersOf(id)).filter((o) => o.state === 'open');
        assert.ok(open.length > 0 && open.every((o) => o.tier === request.tier));
      }
    }
  });

  it('declining the last open offer of a tier opens the next tier at once; the decliner is never offered it again', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now, bestFitCount: 1 });
    const lang = uniqueLanguage();
    const first = await newPro(matching, { grade: 'G2', languages: [lang] });
    const second = await newPro(matching, { grade: 'G3', languages: [lang] });
    const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G2' });
    const [offer] = await offersOf(caseId);
    assert.equal(offer?.professionalId, first);
    const { declineOffer } = await import('./respond.ts');
    await declineOffer(matching.settings, { offerId: offer.id, professionalId: first, reason: 'away' });
    const open = (await offersOf(caseId)).filter((o) => o.state === 'open');
    assert.deepEqual(open.map((o) => [o.professionalId, o.tier]), [[second, 2]]);
    await declineOffer(matching.settings, { offerId: open[0]!.id, professionalId: second, reason: null });
    assert.equal((await requestOf(caseId)).state, 'rescue');
    assert.equal((await offersOf(caseId)).filter((o) => o.professionalId === first).length, 1);
  });
});
