/**
 * The payment's own state machine, pure. Gateway events arrive twice and out of order, so a payment only ever moves
 * forward: an event that would move it back (a failure after success, a late success after a refund) is ignored,
 * and a refund or a lost dispute that arrives before its capture implies the capture (the money must have been taken
 * to go back). The one way back is a dispute the platform wins: the money is ours again, so the payment returns to
 * the status the dispute took it from (Adyen may even reverse a chargeback it already took: CHARGEBACK, then
 * CHARGEBACK_REVERSED), or to `disputed` while another dispute of it is still open. A payment held for fraud review
 * therefore stays held until ops release it (a win must not skip the review, nor start the case without
 * payment.captured.v1), and a partly refunded one stays refunded. A win over a chargeback that overtook the capture
 * stands for that capture, never announced: it moves as the capture would have (announced, or held when the capture's
 * risk check holds it).
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
 * - `book_chargeback`: ledger chargeback entry (the gateway's fee is booked as it reports it: dispute-fees.ts);
 * - `reverse_chargeback`: ledger entry undoing the chargeback (the gateway gave the money back);
 * - `announce_dispute_closed`: emit payment.dispute-closed.v1 (won or lost).
 */
export type Effect =
  | 'book_capture' | 'announce_capture' | 'hold' | 'book_refund'
  | 'announce_dispute' | 'book_chargeback' | 'reverse_chargeback' | 'announce_dispute_closed';

export type Move = { ok: true; from: PaymentStatus; to: PaymentStatus; effects: Effect[] } | { ok: false; from: PaymentStatus; reason: string };

/** What the machine needs to know about a payment besides its status. */
export interface PaymentFacts {
  /** Nothing is left after refunds: a lost dispute can take nothing back. */
  nothingLeft?: boolean;
  /** The status the dispute being won took the payment from (unknown: captured, where a win took every payment before). */
  statusBeforeDispute?: PaymentStatus | null;
  /** The risk check a capture runs holds this payment (what a won dispute needs when it stands for the capture). */
  riskHold?: boolean;
  /** Another dispute still has the payment disputed: winning this one leaves it disputed (or returns it there). */
  anotherDisputeOpen?: boolean;
}

type Row = Partial<Record<PaymentStatus, { to: PaymentStatus; effects: Effect[] }>>;

const NOT_YET_TAKEN = ['pending', 'failed'] as const;

// Where a won dispute may return a payment: the money is taken there. A dispute that overtook the capture (pending,
// failed) returns it where that capture would have taken it (captured, or held by the risk check).
const RESTORABLE: readonly PaymentStatus[] = ['held', 'captured', 'refunding', 'disputed', 'refunded'];

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
    held: { to: 'disputed', effects: ['announce_dispute'] },
    captured: { to: 'disputed', effects: ['announce_dispute'] },
    refunding: { to: 'disputed', effects: ['announce_dispute'] },
  },
  dispute_won: {
    disputed: { to: 'captured', effects: ['announce_dispute_closed'] },
    charged_back: { to: 'captured', effects: ['reverse_chargeback', 'announce_dispute_closed'] },
  },
  // A closing that overtakes its opening (or the capture itself) still books what the gateway took; from a partly
  // refunded payment it takes what is left (a fully refunded one has nothing left: see `nothingLeft`).
  dispute_lost: {
    ...Object.fromEntries(NOT_YET_TAKEN.map((s) => [s, { to: 'charged_back', effects: ['book_capture', 'book_chargeback', 'announce_dispute_closed'] }])),
    held: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
    captured: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
    refunding: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
    disputed: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
    refunded: { to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] },
  },
};

/**
 * The move `signal` makes from `from`, or why it is ignored (never an exception: a stale event is normal).
 *
 * @example
 * transition('pending', 'succeeded'); // { ok: true, to: 'captured', effects: ['book_capture', 'announce_capture'] }
 * transition('captured', 'failed');   // { ok: false, reason: 'failed does not apply to a captured payment' }
 * transition('disputed', 'dispute_lost'); // { ok: true, to: 'charged_back', effects: ['book_chargeback', 'announce_dispute_closed'] }
 * transition('charged_back', 'dispute_won', { statusBeforeDispute: 'held' }); // { ok: true, to: 'held', effects: ['reverse_chargeback', 'announce_dispute_closed'] }
 * transition('charged_back', 'dispute_won', { statusBeforeDispute: 'pending' }); // { ok: true, to: 'captured', effects: [..., 'announce_capture'] }
 * transition('charged_back', 'dispute_won', { anotherDisputeOpen: true }); // { ok: true, to: 'disputed', effects: ['reverse_chargeback', 'announce_dispute_closed'] }
 */
export function transition(from: PaymentStatus, signal: PaymentSignal, facts: PaymentFacts = {}): Move {
  const move = table[signal][from];
  if (!move) return { ok: false, from, reason: `${signal} does not apply to a ${from} payment` };
  if (signal === 'dispute_lost' && facts.nothingLeft) return { ok: false, from, reason: `nothing is left of the ${from} payment to charge back` };
  // The other dispute's own win (or loss) moves the payment on; a capture this win stood for is made by the last win.
  if (signal === 'dispute_won' && facts.anotherDisputeOpen) return { ok: true, from, to: 'disputed', effects: [...move.effects] };
  const before = facts.statusBeforeDispute;
  if (signal === 'dispute_won' && before && isNotYetTaken(before)) {
    // The chargeback booked the capture it implied; the win makes that capture's move (announce or hold) once.
    const capture = table[facts.riskHold ? 'succeeded_risky' : 'succeeded'][before]!;
    return { ok: true, from, to: capture.to, effects: [...move.effects, ...capture.effects.filter((e) => e !== 'book_capture')] };
  }
  const to = signal === 'dispute_won' && before && RESTORABLE.includes(before) ? before : move.to;
  return { ok: true, from, to, effects: [...move.effects] };
}

const isNotYetTaken = (status: PaymentStatus): boolean => (NOT_YET_TAKEN as readonly PaymentStatus[]).includes(status);

/** Whether money was taken (and not given back in full) for a payment in this status. */
export const isPaid = (status: PaymentStatus): boolean => status === 'captured' || status === 'held' || status === 'disputed';
