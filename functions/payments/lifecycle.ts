/**
 * The payment's own state machine, pure. Gateway events arrive twice and out of order, so a payment only ever moves
 * forward: an event that would move it back (a failure after success, a late success after a refund) is ignored,
 * and a refund or a lost dispute that arrives before its capture implies the capture (the money must have been taken
 * to go back). The one way back is a dispute the platform wins: the money is ours again, so the payment is captured
 * again (Adyen may even reverse a chargeback it already took: CHARGEBACK, then CHARGEBACK_REVERSED).
 */

export const PAYMENT_STATUSES = ['pending', 'failed', 'held', 'captured', 'refunding', 'disputed', 'refunded', 'charged_back'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What happened to a payment, from a gateway (webhook, sandbox) or from ops / our own refund request. */
export type PaymentSignal =
  | 'succeeded' | 'succeeded_risky' | 'failed' | 'released' | 'refund_requested' | 'refunded' | 'disputed' | 'dispute_won' | 'dispute_lost';

/**
 * What a transition does besides changing the status:
 * - `book_capture`: ledger capture entry + invoice (the money was taken);
 * - `announce_capture`: emit payment.captured.v1 (the case may start);
 * - `hold`: emit payment.held.v1 (ops must release);
 * - `book_refund`: ledger refund entry + payment.refunded.v1;
 * - `announce_dispute`: emit payment.disputed.v1;
 * - `book_chargeback`: ledger chargeback entry (and the gateway's dispute fee when it reported one);
 * - `reverse_chargeback`: ledger entry undoing the chargeback (the gateway gave the money back);
 * - `announce_dispute_closed`: emit payment.dispute-closed.v1 (won or lost).
 */
export type Effect =
  | 'book_capture' | 'announce_capture' | 'hold' | 'book_refund'
  | 'announce_dispute' | 'book_chargeback' | 'reverse_chargeback' | 'announce_dispute_closed';

export type Move = { ok: true; from: PaymentStatus; to: PaymentStatus; effects: Effect[] } | { ok: false; from: PaymentStatus; reason: string };

type Row = Partial<Record<PaymentStatus, { to: PaymentStatus; effects: Effect[] }>>;

const NOT_YET_TAKEN = ['pending', 'failed'] as const;

const table: Record<PaymentSignal, Row> = {
  succeeded: {
    pending: { to: 'captured', effects: ['book_capture', 'announce_capture'] },
    // A card declined once may succeed on retry of the same payment (Stripe sends payment_failed, then succeeded).
    failed: { to: 'captured', effects: ['book_capture', 'announce_capture'] },
  },
  succeeded_risky: {
    pending: { to: 'held', effects: ['book_capture', 'hold'] },
    failed: { to: 'held', effects: ['book_capture', 'hold'] },
  },
  failed: { pending: { to: 'failed', effects: [] } },
  released: { held: { to: 'captured', effects: ['announce_capture'] } },
  refund_requested: {
    captured: { to: 'refunding', effects: [] },
    held: { to: 'refunding', effects: [] },
  },
  refunded: {
    ...Object.fromEntries(NOT_YET_TAKEN.map((s) => [s, { to: 'refunded', effects: ['book_capture', 'book_refund'] }])),
    held: { to: 'refunded', effects: ['book_refund'] },
    captured: { to: 'refunded', effects: ['book_refund'] },
    refunding: { to: 'refunded', effects: ['book_refund'] },
    disputed: { to: 'refunded', effects: ['book_refund'] },
  },
  // Not from held: a won dispute goes back to captured, which would skip the fraud review.
  disputed: {
    captured: { to: 'disputed', effects: ['announce_dispute'] },
    refunding: { to: 'disputed', effects: ['announce_dispute'] },
  },
  dispute_won: {
    disputed: { to: 'captured', effects: ['announce_dispute_closed'] },
    charged_back: { to: 'captured', effects: ['reverse_chargeback', 'announce_dispute_closed'] },
  },
  // A closing that overtakes its opening (or the capture itself) still books what the gateway took.
  dispute_lost: {
    ...Object.fromEntries(NOT_YET_TAKEN.map((s) => [s, { to: 'charged_back', effects: ['book_capture', 'book_chargeback', 'announce_dispute_closed'] }])),
    held: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
    captured: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
    refunding: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
    disputed: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
  },
};

/**
 * The move `signal` makes from `from`, or why it is ignored (never an exception: a stale event is normal).
 *
 * @example
 * transition('pending', 'succeeded'); // { ok: true, to: 'captured', effects: ['book_capture', 'announce_capture'] }
 * transition('captured', 'failed');   // { ok: false, reason: 'failed does not apply to a captured payment' }
 * transition('disputed', 'dispute_lost'); // { ok: true, to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] }
 */
export function transition(from: PaymentStatus, signal: PaymentSignal): Move {
  const move = table[signal][from];
  if (!move) return { ok: false, from, reason: `${signal} does not apply to a ${from} payment` };
  return { ok: true, from, to: move.to, effects: [...move.effects] };
}

/** Whether money was taken (and not given back in full) for a payment in this status. */
export const isPaid = (status: PaymentStatus): boolean => status === 'captured' || status === 'held' || status === 'disputed';
