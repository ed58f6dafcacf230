import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpProblem } from '../http/problem.ts';
import { ACTIONS, authorize, decide, type Action, type Resource } from './policy.ts';
import type { Principal, Role } from './principal.ts';

const me = 'me';
const other = 'other';
const principal = (role: Role, mfa = true): Principal => ({ id: me, role, mfa, sessionId: 's' });

/** The objects a caller can meet, by how they relate to it. */
const objects = {
  owned: { ownerId: me },
  foreign: { ownerId: other, assignedProfessionalId: 'pro-x' },
  assigned: { ownerId: other, assignedProfessionalId: me },
  reviewing: { ownerId: other, assignedProfessionalId: 'pro-x', reviewerId: me },
  none: undefined,
} satisfies Record<string, Resource | undefined>;

type Expected = 'allow' | 404 | 403 | 'mfa';

// role, action, object, expected
const table: [Role, Action, keyof typeof objects, Expected][] = [
  ['patient', 'case:create', 'none', 'allow'],
  ['professional', 'case:create', 'none', 403],
  ['ops', 'case:create', 'none', 403],
  ['patient', 'case:read', 'owned', 'allow'],
  ['patient', 'case:read', 'foreign', 404],
  ['professional', 'case:read', 'assigned', 'allow'],
  ['professional', 'case:read', 'reviewing', 'allow'],
  ['professional', 'case:read', 'foreign', 404],
  ['ops', 'case:read', 'foreign', 'allow'],
  ['patient', 'case:update', 'owned', 'allow'],
  ['patient', 'case:update', 'foreign', 404],
  ['professional', 'case:update', 'assigned', 403],
  ['ops', 'case:update', 'foreign', 403],
  ['patient', 'case:cancel', 'owned', 'allow'],
  ['ops', 'case:cancel', 'foreign', 'allow'],
  ['professional', 'case:cancel', 'assigned', 403],
  ['patient', 'document:upload', 'owned', 'allow'],
  ['patient', 'document:upload', 'foreign', 404],
  ['professional', 'document:read', 'assigned', 'allow'],
  ['professional', 'document:read', 'foreign', 404],
  ['patient', 'opinion:read', 'owned', 'allow'],
  ['patient', 'opinion:write', 'owned', 403],
  ['professional', 'opinion:write', 'assigned', 'allow'],
  ['professional', 'opinion:write', 'reviewing', 403],
  ['professional', 'opinion:sign', 'assigned', 'allow'],
  ['professional', 'opinion:sign', 'foreign', 404],
  ['ops', 'opinion:sign', 'foreign', 403],
  ['professional', 'opinion:review', 'reviewing', 'allow'],
  ['professional', 'opinion:review', 'assigned', 403],
  ['ops', 'opinion:assign-reviewer', 'foreign', 'allow'],
  ['patient', 'followup:create', 'owned', 'allow'],
  ['professional', 'followup:answer', 'assigned', 'allow'],
  ['patient', 'followup:answer', 'owned', 403],
  ['professional', 'offer:respond', 'none', 'allow'],
  ['patient', 'offer:respond', 'none', 403],
  ['patient', 'consent:write', 'owned', 'allow'],
  ['patient', 'consent:write', 'foreign', 404],
  ['ops', 'consent:read', 'foreign', 'allow'],
  ['ops', 'professional:verify', 'none', 'allow'],
  ['professional', 'professional:verify', 'none', 403],
  ['patient', 'professional:verify', 'none', 403],
  ['ops', 'audit:read', 'none', 'allow'],
  ['patient', 'audit:read', 'none', 403],
  ['patient', 'payment:checkout', 'owned', 'allow'],
  ['patient', 'payment:checkout', 'foreign', 404],
  ['ops', 'payment:release', 'none', 'allow'],
  ['patient', 'payment:release', 'none', 403],
  ['ops', 'payment:report', 'none', 'allow'],
  ['professional', 'payment:report', 'none', 403],
  ['ops', 'offer:rescue', 'none', 'allow'],
  ['professional', 'offer:rescue', 'none', 403],
  ['ops', 'ai-usage:read', 'none', 'allow'],
  ['patient', 'ai-usage:read', 'none', 403],
  ['professional', 'payout:bank-account', 'none', 'allow'],
  ['patient', 'payout:bank-account', 'none', 403],
  ['professional', 'payout:read', 'owned', 'allow'],
  ['professional', 'payout:read', 'foreign', 404],
  ['patient', 'payout:read', 'foreign', 404],
  ['ops', 'payout:read', 'foreign', 'allow'],
  ['ops', 'payout:manage', 'none', 'allow'],
  ['professional', 'payout:manage', 'none', 403],
];

function outcome(role: Role, action: Action, object: Resource | undefined, mfa = true): Expected {
  const decision = decide(principal(role, mfa), action, object);
  if (decision.allowed) return 'allow';
  return decision.reason === 'mfa-required' ? 'mfa' : decision.status;
}

describe('policy', () => {
  for (const [role, action, object, expected] of table) {
    it(`${role} ${action} on ${object} → ${expected}`, () => {
      assert.equal(outcome(role, action, objects[object]), expected);
    });
  }

  it('requires a second factor of professionals and ops before case data, after visibility', () => {
    assert.equal(outcome('professional', 'case:read', objects.assigned, false), 'mfa');
    assert.equal(outcome('ops', 'case:read', objects.foreign, false), 'mfa');
    assert.equal(outcome('professional', 'case:read', objects.foreign, false), 404);
    assert.equal(outcome('patient', 'case:read', objects.owned, false), 'allow');
    assert.equal(outcome('ops', 'professional:verify', undefined, false), 'allow');
    assert.equal(outcome('professional', 'payout:bank-account', undefined, false), 'mfa');
    assert.equal(outcome('ops', 'payout:manage', undefined, false), 'mfa');
  });

  it('never answers 403 for an object the caller cannot see', () => {
    for (const action of ACTIONS) {
      for (const role of ['patient', 'professional'] as const) {
        const decision = decide(principal(role), action, objects.foreign);
        assert.ok(decision.allowed || decision.status === 404, `${role} ${action} on a foreign object`);
      }
    }
  });

  it('authorize() throws the matching problem', () => {
    assert.throws(() => authorize(principal('patient'), 'case:read', objects.foreign), (e: unknown) => e instanceof HttpProblem && e.status === 404);
    assert.throws(() => authorize(principal('patient'), 'audit:read'), (e: unknown) => e instanceof HttpProblem && e.status === 403);
    assert.throws(
      () => authorize(principal('professional', false), 'case:read', objects.assigned),
      (e: unknown) => e instanceof HttpProblem && e.status === 403 && e.problem.type.endsWith('/mfa-required'),
    );
    assert.doesNotThrow(() => authorize(principal('ops'), 'case:read', objects.foreign));
  });
});
