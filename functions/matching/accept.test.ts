import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { activeAssignments } from './assignment-queries.ts';
import { createMatching } from './app.ts';
import { insertOffers, insertRequest } from './offer-queries.ts';
import { acceptOffer, declineOffer } from './respond.ts';
import { expireOffers, reclaimOverdue } from './sweeps.ts';
import { attempt, newPro, offersOf, requestOf, testClock, triagedCase, uniqueLanguage } from './testing.ts';

const HOUR = 3_600_000;


/** One case with one open offer per professional, written directly with matching's own statements. */
async function openCase(professionalIds: string[], now: Date): Promise<{ caseId: string; offerIds: string[] }> {
  const caseId = randomUUID();
  return transaction(async (tx) => {
    const request = await insertRequest(tx, { id: randomUUID(), caseId, kind: 'opinion', round: 1, specialty: 'cardiology', minGrade: 'G2', urgency: 'urgent', excludeIds: [], now });
    const offers = professionalIds.map((professionalId) => ({
      id: randomUUID(), requestId: request!.id, caseId, professionalId, kind: 'opinion' as const, tier: 2, generation: 1, urgency: 'urgent' as const,
      feeAmount: 18_000, feeCurrency: 'EUR', expiresAt: new Date(now.getTime() + HOUR), createdAt: now,
    }));
    await insertOffers(tx, offers);
    await tx`update matching.requests set tier = 2 where id = ${request!.id}`;
    return { caseId, offerIds: offers.map((o) => o.id) };
  });
}

describe('the acceptance race', () => {
  after(() => closeDb());

  // 200 repetitions in four tests of 50, so a slow machine never meets the per-test timeout.
  for (const part of [0, 1, 2, 3]) {
    it(`64 concurrent accepts of one offer → exactly one winner, 63 × 409 (repetitions ${part * 50 + 1}–${part * 50 + 50} of 200)`, async () => {
      const matching = createMatching();
      const pro = randomUUID();
      await db()`insert into matching.professionals (id, status, verified, mfa, grade, grade_rank) values (${pro}, 'active', true, true, 'G2', 2)`;
      for (let rep = 0; rep < 50; rep++) {
        const { caseId, offerIds } = await openCase([pro], new Date());
        const results = await Promise.all(Array.from({ length: 64 }, () => attempt(() => acceptOffer(matching.settings, { offerId: offerIds[0]!, professionalId: pro }))));
        assert.equal(results.filter((r) => r === 'won').length, 1, `repetition ${rep}: one winner`);
        assert.equal(results.filter((r) => r === 409).length, 63, `repetition ${rep}: everyone else 409`);
        assert.equal((await activeAssignments(db(), caseId)).length, 1);
      }
    });
  }

  it('64 professionals accepting their own offers of one case at once → one winner; the other offers are withdrawn', async () => {
    const matching = createMatching();
    const pros = Array.from({ length: 64 }, () => randomUUID());
    for (const id of pros) await db()`insert into matching.professionals (id, status, verified, mfa, grade, grade_rank) values (${id}, 'active', true, true, 'G2', 2)`;
    for (let rep = 0; rep < 20; rep++) {
      const { caseId, offerIds } = await openCase(pros, new Date());
      const results = await Promise.all(pros.map((professionalId, i) => attempt(() => acceptOffer(matching.settings, { offerId: offerIds[i]!, professionalId }))));
      assert.equal(results.filter((r) => r === 'won').length, 1);
      assert.equal(results.filter((r) => r === 409).length, 63);
      const offers = await offersOf(caseId);
      assert.equal(offers.filter((o) => o.state === 'accepted').length, 1);
      assert.equal(offers.filter((o) => o.state === 'withdrawn').length, 63);
      assert.equal((await activeAssignments(db(), caseId)).length, 1);
    }
  });

  it('an expired offer is 409; someone else\'s offer is 404; a professional suspended since the offer 403', async () => {
    const clock = testClock();
    const matching = createMatching({ now: clock.now });
    const [pro, other, suspended] = [randomUUID(), randomUUID(), randomUUID()];
    for (const [id, status] of [[pro, 'active'], [suspended, 'suspended']]) {
      await db()`insert into matching.professionals (id, status, verified, mfa, grade, grade_rank) values (${id!}, ${status!}, true, true, 'G2', 2)`;
    }
    const { offerIds } = await openCase([pro, suspended], clock.now());
    assert.equal(await attempt(() => acceptOffer(matching.settings, { offerId: offerIds[1]!, professionalId: suspended })), 403, 'suspended since the offer');
    assert.equal(await attempt(() => acceptOffer(matching.settings, { offerId: offerIds[0]!, professionalId: other })), 404);
    clock.advance(HOUR);
    assert.equal(await attempt(() => acceptOffer(matching.settings, { offerId: offerIds[0]!, professionalId: pro })), 409);
    assert.equal(await attempt(() => acceptOffer(matching.settings, { offerId: randomUUID(), professionalId: pro })), 404);
  });

  it('property: no interleaving of accept, decline, expire and take-back ever gives a case two active assignments', async () => {
    const command = fc.oneof(
      fc.record({ op: fc.constant('accept' as const), who: fc.nat(3) }),
      fc.record({ op: fc.constant('decline' as const), who: fc.nat(3) }),
      fc.record({ op: fc.constant('expire' as const), minutes: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ op: fc.constant('reclaim' as const), hours: fc.integer({ min: 1, max: 80 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), async (batches) => {
        const clock = testClock();
        const matching = createMatching({ now: clock.now, bestFitCount: 2 });
        const lang = uniqueLanguage();
        const pros: string[] = [];
        for (let i = 0; i < 4; i++) pros.push(await newPro(matching, { grade: i === 3 ? 'G1' : 'G2', languages: [lang] }));
        const { caseId } = await triagedCase(matching, { language: lang, minGrade: 'G2', urgency: 'urgent' });
        const scope = { caseIds: [caseId] };
        const latestOffer = async (who: number) => (await offersOf(caseId)).filter((o) => o.professionalId === pros[who]).at(-1);
        const run = async (c: fc.Arbitrary<unknown> extends never ? never : { op: string; who?: number; minutes?: number; hours?: number }) => {
          if (c.op === 'accept' || c.op === 'decline') {
            const offer = await latestOffer(c.who!);
            if (!offer) return;
            const input = { offerId: offer.id, professionalId: offer.professionalId };
            const result = await attempt(() => (c.op === 'accept' ? acceptOffer(matching.settings, input) : declineOffer(matching.settings, { ...input, reason: null })));
            assert.ok(result === 'won' || result === 409, `${c.op}: unexpected ${result}`);
          } else if (c.op === 'expire') {
            clock.advance(c.minutes! * 60_000);
            await expireOffers(matching.settings, scope);
          } else {
            clock.advance(c.hours! * HOUR);
            await reclaimOverdue(matching.settings, scope);
          }
        };
        for (const batch of batches) {
          // Each batch runs concurrently: the database decides the interleaving.
          await Promise.all(batch.map(run));
          const active = await activeAssignments(db(), caseId);
          assert.ok(active.length <= 1, 'two active assignments');
          const request = await requestOf(caseId);
          assert.equal(active.length, request.state === 'assigned' ? 1 : 0, `request ${request.state} with ${active.length} active assignments`);
          if (request.state === 'assigned') assert.equal((await offersOf(caseId)).filter((o) => o.state === 'open').length, 0, 'an assigned case has no open offers');
        }
      }),
      { numRuns: 40 },
    );
  });
});
