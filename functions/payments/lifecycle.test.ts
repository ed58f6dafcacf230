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
    refund_requested: 'refunding ', refunded: 'refunded book_refund', disputed: 'disputed announce_dispute',
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
  // Partly refunded: the rest may still be charged back (fully refunded: see nothingLeft below).
  refunded: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: '-', disputed: '-',
    dispute_won: '-', dispute_lost: 'charged_back book_chargeback,announce_dispute_closed',
  },
  charged_back: {
    succeeded: '-', succeeded_risky: '-', failed: '-', released: '-', refund_requested: '-', refunded: '-', disputed: '-',
    dispute_won: 'captured reverse_chargeback,announce_dispute_closed', dispute_lost: '-',
  },
};

const RANK: Record<PaymentStatus, number> = { pending: 0, failed: 1, held: 2, captured: 3, refunding: 4, disputed: 5, refunded: 6, charged_back: 7 };

describe('payment state machine', () => {
  for (const from of PAYMENT_STATUSES) {
    for (const [signal, want] of Object.entries(expected[from]) as [PaymentSignal, string][]) {
      it(`${from} + ${signal} → ${want}`, () => {
        const move = transition(from, signal);
        assert.equal(move.ok ? `${move.to} ${move.effects.join(',')}` : '-', want);
      });
    }
  }

  it('a lost dispute takes nothing from a payment with nothing left after refunds', () => {
    const move = transition('refunded', 'dispute_lost', { nothingLeft: true });
    assert.equal(move.ok, false);
  });

  it('a won dispute returns the payment to the status the dispute took it from, where the money is ours', () => {
    const won = (from: PaymentStatus, before: PaymentStatus | null) => {
      const move = transition(from, 'dispute_won', { statusBeforeDispute: before });
      return move.ok ? move.to : '-';
    };
    assert.equal(won('charged_back', 'held'), 'held', 'a payment held for review stays held: no case starts without ops');
    assert.equal(won('charged_back', 'refunded'), 'refunded', 'a partly refunded payment stays refunded');
    assert.equal(won('charged_back', 'refunding'), 'refunding');
    assert.equal(won('disputed', 'held'), 'held');
    assert.equal(won('disputed', 'refunding'), 'refunding');
    assert.equal(won('charged_back', 'pending'), 'captured', 'a chargeback that overtook its capture implied it');
    assert.equal(won('charged_back', null), 'captured', 'disputes recorded before the status was remembered');
    assert.equal(won('held', 'held'), '-');
  });

  it('a won dispute never takes the payment out of disputed while another dispute of it is open', () => {
    const won = (from: PaymentStatus, before: PaymentStatus | null) => {
      const move = transition(from, 'dispute_won', { statusBeforeDispute: before, anotherDisputeOpen: true });
      return move.ok ? `${move.to} ${move.effects.join(',')}` : '-';
    };
    assert.equal(won('disputed', 'captured'), 'disputed announce_dispute_closed');
    assert.equal(won('charged_back', 'captured'), 'disputed reverse_chargeback,announce_dispute_closed', 'its money back, still disputed');
    assert.equal(won('charged_back', 'pending'), 'disputed reverse_chargeback,announce_dispute_closed', 'the capture it stands for is announced by the last win');
    assert.equal(won('captured', 'captured'), '-');
  });

  it('a won dispute whose chargeback overtook the capture makes that capture\'s move: announced, or held by its risk check', () => {
    const won = (before: PaymentStatus, riskHold: boolean) => {
      const move = transition('charged_back', 'dispute_won', { statusBeforeDispute: before, riskHold });
      return move.ok ? `${move.to} ${move.effects.join(',')}` : '-';
    };
    assert.equal(won('pending', false), 'captured reverse_chargeback,announce_dispute_closed,announce_capture');
    assert.equal(won('failed', false), 'captured reverse_chargeback,announce_dispute_closed,announce_capture');
    assert.equal(won('pending', true), 'held reverse_chargeback,announce_dispute_closed,hold');
    assert.equal(won('captured', true), 'captured reverse_chargeback,announce_dispute_closed', 'a capture already made was checked and announced then');
  });

  // One dispute at a time; the status it took the payment from is remembered as ingest does (from disputed only when
  // the dispute did not dispute it itself).
  it('only moves forward (but for a won dispute), books each cause once, and never skips the fraud review along any path', () => {
    const signals = Object.keys(expected.pending) as PaymentSignal[];
    const count = (effects: readonly string[], effect: string) => effects.filter((e) => e === effect).length;
    type Path = { captures: number; refunds: number; chargebacks: number; reversals: number; before: PaymentStatus | null; held: boolean; announced: number };
    const walk = (status: PaymentStatus, p: Path, depth: number): void => {
      assert.ok(p.captures <= 1 && p.refunds <= 1, `booked twice on a path ending at ${status}`);
      // A reversal only undoes a chargeback booked before it; at most one chargeback stands at a time.
      assert.ok(p.reversals <= p.chargebacks && p.chargebacks - p.reversals <= 1, `chargebacks ${p.chargebacks} / reversals ${p.reversals} ending at ${status}`);
      assert.equal(status === 'charged_back', p.chargebacks - p.reversals === 1, `a charged_back payment is exactly the one with an open chargeback (${status})`);
      assert.ok(!(status === 'captured' && p.held && !p.announced), 'a payment held for review is captured only by its release, which announces it');
      assert.ok(p.announced <= 1 && (status !== 'captured' || p.announced === 1), `a captured payment is announced once (${p.announced} ending at ${status})`);
      if (depth === 0) return;
      for (const signal of signals) for (const riskHold of signal === 'dispute_won' ? [false, true] : [false]) {
        const move = transition(status, signal, { statusBeforeDispute: p.before, riskHold });
        if (!move.ok) continue;
        if (signal === 'dispute_won') assert.ok(!['pending', 'failed', 'charged_back'].includes(move.to), `a won dispute gives the money back (${move.to})`);
        else assert.ok(RANK[move.to] > RANK[status], `${status} + ${signal} moved back to ${move.to}`);
        const disputeMoved = signal === 'disputed' || signal === 'dispute_lost';
        walk(move.to, {
          captures: p.captures + count(move.effects, 'book_capture'), refunds: p.refunds + count(move.effects, 'book_refund'),
          chargebacks: p.chargebacks + count(move.effects, 'book_chargeback'), reversals: p.reversals + count(move.effects, 'reverse_chargeback'),
          before: disputeMoved ? (status === 'disputed' ? (p.before ?? status) : status) : p.before,
          held: p.held || move.to === 'held', announced: p.announced + count(move.effects, 'announce_capture'),
        }, depth - 1);
      }
    };
    walk('pending', { captures: 0, refunds: 0, chargebacks: 0, reversals: 0, before: null, held: false, announced: 0 }, 8);
  });
});
