/**
 * The payment's own state machine, pure. Gateway events arrive twice and out of order, so a payment only ever moves
 * forward: an event that would move it back (a failure after success, a late success after a refund) is ignored,
 * and a refund that arrives before its capture implies the capture (the money must have been taken to go back).
 */

export const PAYMENT_STATUSES = ['pending', 'failed', 'held', 'captured', 'refunding', 'disputed', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What happened to a payment, from a gateway (webhook, sandbox) or from ops / our own refund request. */
export type PaymentSignal = 'succeeded' | 'succeeded_risky' | 'failed' | 'released' | 'refund_requested' | 'refunded' | 'disputed';

/**
 * What a transition does besides changing the status:
 * - `book_capture`: ledger capture entry + invoice (the money was taken);
 * - `announce_capture`: emit payment.captured.v1 (the case may start);
 * - `hold`: emit payment.held.v1 (ops must release);
 * - `book_refund`: ledger refund entry + payment.refunded.v1.
 */
export type Effect = 'book_capture' | 'announce_capture' | 'hold' | 'book_refund';

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
  disputed: {
    captured: { to: 'disputed', effects: [] },
    refunding: { to: 'disputed', effects: [] },
  },
};

/**
 * The move `signal` makes from `from`, or why it is ignored (never an exception: a stale event is normal).
 *
 * @example
 * transition('pending', 'succeeded'); // { ok: true, to: 'captured', effects: ['book_capture', 'announce_capture'] }
 * transition('captured', 'failed');   // { ok: false, reason: 'failed does not apply to a captured payment' }
 */
export function transition(from: PaymentStatus, signal: PaymentSignal): Move {
  const move = table[signal][from];
  if (!move) return { ok: false, from, reason: `${signal} does not apply to a ${from} payment` };
  return { ok: true, from, to: move.to, effects: [...move.effects] };
}

/** Whether money was taken (and not given back in full) for a payment in this status. */
export const isPaid = (status: PaymentStatus): boolean => status === 'captured' || status === 'held' || status === 'disputed';
