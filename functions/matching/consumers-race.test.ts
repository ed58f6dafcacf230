import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CaseCancelledV1 } from '../../events/case.ts';
import { ReviewRequestedV1 } from '../../events/matching.ts';
import { closeDb } from '../../shared/db/index.ts';
import { createMatching } from './app.ts';
import { deliver, newPro, offersOf, requestOf, uniqueLanguage } from './testing.ts';

describe('events about one case arriving at once', () => {
  after(() => closeDb());

  it('a review request and a cancellation of the same case, at once, forty times: no review offer stays open on a cancelled case', async () => {
    const matching = createMatching();
    const specialty = `spec-${uniqueLanguage()}`;
    for (let i = 0; i < 3; i++) await newPro(matching, { grade: 'G4', specialties: [specialty], languages: [uniqueLanguage()] });
    const cases = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(cases.map((caseId) => Promise.all([
      deliver(matching, ReviewRequestedV1, { caseId, specialty, minGrade: 'G4', urgency: 'urgent', round: 1, excludeProfessionalIds: [] }),
      deliver(matching, CaseCancelledV1, { caseId, from: 'peer_review' }),
    ])));
    for (const caseId of cases) {
      assert.deepEqual((await offersOf(caseId)).filter((o) => o.state === 'open').map((o) => o.professionalId), [], `case ${caseId}: open offers after its cancellation`);
      const request = await requestOf(caseId, 'review');
      assert.ok(request === undefined || request.state === 'cancelled', `case ${caseId}: review search ${request?.state}`);
    }
  });
});
