import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_STATUSES, transition, type PaymentSignal, type PaymentStatus } from './lifecycle.ts';

// Every (status, signal) pair: where it goes and what it does, or '-' when the signal is ignored there.
const expected: Record<PaymentStatus, Record<PaymentSignal, string>> = {
  pending: {
    succeeded: 'captured book_capture,announce_capture', succeeded_risky: 'held book_capture,hold', failed: 'failed ',
    released: '-', refund_requested: '-', refunded: 'refunded book_capture,book_refund', disputed: '-',
  },
  failed: {
    succeeded: 'captured book_capture,announce_capture', succeeded_risky: 'held book_capture,hold', failed: '-',
    released: '-', refund_requested: '-', refunded: 'refunded book_capture,book_refund', disputed: '-',
  },
  held: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: 'captured announce_capture',
    refund_requested: 'refunding ', refunded: 'refunded book_refund', disputed: '-',
  },
  captured: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-',
    refund_requested: 'refunding ', refunded: 'refunded book_refund', disputed: 'disputed ',
  },
  refunding: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: 'refunded book_refund', disputed: 'disputed ',
  },
  disputed: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: 'refunded book_refund', disputed: '-',
  },
  refunded: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: '-', disputed: '-',
  },
};

const RANK: Record<PaymentStatus, number> = { pending: 0, failed: 1, held: 2, captured: 3, refunding: 4, disputed: 5, refunded: 6 };

describe('payment state machine', () => {
  for (const from of PAYMENT_STATUSES) {
    for (const [signal, want] of Object.entries(expected[from]) as [PaymentSignal, string][]) {
      it(`${from} + ${signal} → ${want}`, () => {
        const move = transition(from, signal);
        assert.equal(move.ok ? `${move.to} ${move.effects.join(',')}` : '-', want);
      });
    }
  }

  it('only ever moves forward, and money is booked as taken at most once along any path', () => {
    const signals = Object.keys(expected.pending) as PaymentSignal[];
    const walk = (status: PaymentStatus, captures: number, refunds: number, depth: number): void => {
      assert.ok(captures <= 1 && refunds <= 1, `booked twice on a path ending at ${status}`);
      if (depth === 0) return;
      for (const signal of signals) {
        const move = transition(status, signal);
        if (!move.ok) continue;
        assert.ok(RANK[move.to] > RANK[status], `${status} + ${signal} moved back to ${move.to}`);
        walk(move.to, captures + move.effects.filter((e) => e === 'book_capture').length, refunds + move.effects.filter((e) => e === 'book_refund').length, depth - 1);
      }
    };
    walk('pending', 0, 0, 7);
  });
});
