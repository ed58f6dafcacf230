import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_STATUSES, transition, type PaymentSignal, type PaymentStatus } from './lifecycle.ts';

// Every (status, signal) pair: where it goes and what it does, or '-' when the signal is ignored there.
const expected: Record<PaymentStatus, Record<PaymentSignal, string>> = {
  pending: {
    succeeded: 'captured book_capture,announce_capture', succeeded_risky: 'held book_capture,hold', failed: 'failed ',
    released: '-', refund_requested: '-', refunded: 'refunded book_capture,book_refund', disputed: '-',
    dispute_won: '-', dispute_lost: 'charged_back book_capture,book_chargeback,announce_dispute_closed',
  },
  failed: {
    succeeded: 'captured book_capture,announce_capture', succeeded_risky: 'held book_capture,hold', failed: '-',
    released: '-', refund_requested: '-', refunded: 'refunded book_capture,book_refund', disputed: '-',
    dispute_won: '-', dispute_lost: 'charged_back book_capture,book_chargeback,announce_dispute_closed',
  },
  held: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: 'captured announce_capture',
    refund_requested: 'refunding ', refunded: 'refunded book_refund', disputed: '-',
    dispute_won: '-', dispute_lost: 'charged_back book_chargeback,announce_dispute_closed',
  },
  captured: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-',
    refund_requested: 'refunding ', refunded: 'refunded book_refund', disputed: 'disputed announce_dispute',
    dispute_won: '-', dispute_lost: 'charged_back book_chargeback,announce_dispute_closed',
  },
  refunding: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: 'refunded book_refund', disputed: 'disputed announce_dispute',
    dispute_won: '-', dispute_lost: 'charged_back book_chargeback,announce_dispute_closed',
  },
  disputed: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: 'refunded book_refund', disputed: '-',
    dispute_won: 'captured announce_dispute_closed', dispute_lost: 'charged_back book_chargeback,announce_dispute_closed',
  },
  refunded: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: '-', disputed: '-',
    dispute_won: '-', dispute_lost: '-',
  },
  charged_back: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: '-', disputed: '-',
    dispute_won: 'captured reverse_chargeback,announce_dispute_closed', dispute_lost: '-',
  },
};

const RANK: Record<PaymentStatus, number> = { pending: 0, failed: 1, held: 2, captured: 3, refunding: 4, disputed: 5, refunded: 6, charged_back: 6 };

describe('payment state machine', () => {
  for (const from of PAYMENT_STATUSES) {
    for (const [signal, want] of Object.entries(expected[from]) as [PaymentSignal, string][]) {
      it(`${from} + ${signal} → ${want}`, () => {
        const move = transition(from, signal);
        assert.equal(move.ok ? `${move.to} ${move.effects.join(',')}` : '-', want);
      });
    }
  }

  it('only moves forward (but for a won dispute), and money is booked as taken once and as gone back at most once along any path', () => {
    const signals = Object.keys(expected.pending) as PaymentSignal[];
    const count = (effects: readonly string[], effect: string) => effects.filter((e) => e === effect).length;
    type Books = { captures: number; refunds: number; chargebacks: number; reversals: number };
    const walk = (status: PaymentStatus, b: Books, depth: number): void => {
      assert.ok(b.captures <= 1 && b.refunds <= 1, `booked twice on a path ending at ${status}`);
      // A reversal only undoes a chargeback booked before it, and what went back (refund, chargeback not reversed) is one.
      assert.ok(b.reversals <= b.chargebacks && b.chargebacks - b.reversals <= 1, `chargebacks ${b.chargebacks} / reversals ${b.reversals} ending at ${status}`);
      assert.ok(b.refunds + b.chargebacks - b.reversals <= 1, `money went back twice on a path ending at ${status}`);
      assert.equal(status === 'charged_back', b.chargebacks - b.reversals === 1, `a charged_back payment is exactly the one with an open chargeback (${status})`);
      if (depth === 0) return;
      for (const signal of signals) {
        const move = transition(status, signal);
        if (!move.ok) continue;
        if (signal === 'dispute_won') assert.equal(move.to, 'captured', 'a won dispute gives the payment back its capture');
        else assert.ok(RANK[move.to] > RANK[status], `${status} + ${signal} moved back to ${move.to}`);
        walk(move.to, {
          captures: b.captures + count(move.effects, 'book_capture'), refunds: b.refunds + count(move.effects, 'book_refund'),
          chargebacks: b.chargebacks + count(move.effects, 'book_chargeback'), reversals: b.reversals + count(move.effects, 'reverse_chargeback'),
        }, depth - 1);
      }
    };
    walk('pending', { captures: 0, refunds: 0, chargebacks: 0, reversals: 0 }, 8);
  });
});
