import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { OpinionSubmittedV1 } from './opinions.ts';

describe('opinion.submitted.v1', () => {
  const before = { caseId: 'case-1', opinionId: 'op-1', authorId: 'pro-1', peerReview: true };

  it('still accepts an event from before round existed (older producers, outboxes, replays)', () => {
    assert.deepEqual(v.parse(OpinionSubmittedV1.schema, before), before);
  });

  it('carries the review round of the submission', () => {
    assert.deepEqual(v.parse(OpinionSubmittedV1.schema, { ...before, round: 2 }), { ...before, round: 2 });
  });

  it('refuses a round that is not a positive integer', () => {
    for (const round of [0, -1, 1.5, '2', null]) {
      assert.equal(v.safeParse(OpinionSubmittedV1.schema, { ...before, round }).success, false, String(round));
    }
  });
});
