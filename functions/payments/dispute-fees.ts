import type { Tx } from '../../shared/db/index.ts';
import { bookedDisputeFee, type DisputeRow } from './dispute-queries.ts';
import type { GatewayNotice } from './gateways/types.ts';
import { book, disputeFeeEntry, type DisputeClosing } from './ledger.ts';
import type { PaymentRow } from './queries.ts';

/**
 * Books a dispute's fees as the gateway reports them with one of its closings, whether or not the payment moves on it
 * (the fee is the gateway's money either way): the difference between what the gateway says it kept for the dispute
 * (`notice.fee`, its running total) and what the ledger holds for it. A loss books the fee; a win that reports the fee
 * given back (Stripe: the reinstatement's negative fee) books its reversal. Keyed on the closing, which counts once
 * per dispute, so a replay books nothing. Nothing is booked on a closing that reports no fee: we never guess one
 * (Adyen reports none, see webhook-adyen.ts).
 *
 * @example
 * await settleDisputeFee(tx, payment, closed, 'won', { amount: 0, currency: 'EUR' }); // a booked 15.00 comes back
 */
export async function settleDisputeFee(tx: Tx, payment: PaymentRow, dispute: DisputeRow, closing: DisputeClosing, reported: GatewayNotice['fee']): Promise<void> {
  if (!reported) return;
  const difference = reported.amount - (await bookedDisputeFee(tx, dispute.id, reported.currency));
  if (difference === 0) return;
  await book(tx, disputeFeeEntry({ disputeId: dispute.id, closing, paymentId: payment.id, caseId: payment.caseId, currency: reported.currency, fee: difference }));
}
