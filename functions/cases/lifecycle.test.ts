import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { COMMANDS, isFinal, STAGE_OF, STATUSES, transition, type CaseCommand, type CaseStatus } from './lifecycle.ts';

// The table the product owner signed off: status × command → the next status, or '—' for a 409.
const EXPECTED: Record<CaseStatus, Partial<Record<CaseCommand, CaseStatus>>> = {
  draft: { submit: 'awaiting_payment', cancel: 'cancelled' },
  awaiting_payment: { confirm_payment: 'triage', cancel: 'cancelled' },
  triage: { complete_triage: 'matching', cancel: 'cancelled' },
  matching: { assign: 'assigned', cancel: 'cancelled' },
  assigned: { start_opinion: 'in_review', take_back: 'matching' },
  in_review: { request_peer_review: 'peer_review', deliver: 'delivered', take_back: 'matching' },
  peer_review: { request_changes: 'in_review', deliver: 'delivered' },
  delivered: { close: 'closed' },
  closed: {},
  cancelled: { refund: 'refunded' },
  refunded: {},
};

describe('case lifecycle', () => {
  for (const status of STATUSES) {
    for (const command of COMMANDS) {
      const expected = EXPECTED[status][command];
      it(`${status} × ${command} → ${expected ?? '409'}`, () => {
        const result = transition(status, command);
        if (expected) assert.deepEqual(result, { ok: true, from: status, to: expected });
        else {
          assert.equal(result.ok, false);
          assert.ok(!result.ok && result.reason.length > 0);
        }
      });
    }
  }

  it('ends only in closed, refunded', () => {
    assert.deepEqual(STATUSES.filter(isFinal), ['closed', 'refunded']);
  });

  it('never skips a stage forward: every move goes to the same stage, the next one, back to matching, or out', () => {
    const order = ['intake', 'triage', 'matching', 'opinion', 'delivery', 'ended'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...COMMANDS), { maxLength: 60 }), (commands) => {
        let status: CaseStatus = 'draft';
        const timeline: CaseStatus[] = [status];
        for (const command of commands) {
          const result = transition(status, command);
          if (!result.ok) {
            assert.equal(result.from, status, 'a refused command changes nothing');
            continue;
          }
          const [a, b] = [order.indexOf(STAGE_OF[status]), order.indexOf(STAGE_OF[result.to])];
          assert.ok(b <= a + 1 || STAGE_OF[result.to] === 'ended', `${status} → ${result.to} skips a stage`);
          status = result.to;
          timeline.push(status);
        }
        // Every status reached was reached by one recorded move from the one before it.
        for (let i = 1; i < timeline.length; i++) {
          assert.ok(COMMANDS.some((c) => { const t = transition(timeline[i - 1]!, c); return t.ok && t.to === timeline[i]; }));
        }
        assert.ok((STATUSES as readonly string[]).includes(status));
      }),
      { numRuns: 2000 },
    );
  });

  it('reaches delivery only through payment, triage, assignment and an opinion', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...COMMANDS), { maxLength: 60 }), (commands) => {
        let status: CaseStatus = 'draft';
        const seen = new Set<CaseStatus>([status]);
        for (const command of commands) {
          const result = transition(status, command);
          if (result.ok) seen.add((status = result.to));
        }
        if (seen.has('delivered')) for (const required of ['triage', 'matching', 'assigned', 'in_review'] as const) assert.ok(seen.has(required));
      }),
      { numRuns: 2000 },
    );
  });
});
