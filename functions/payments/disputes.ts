import { randomUUID } from 'node:crypto';
import type { Tx } from '../../shared/db/index.ts';
import { settleDisputeFee } from './dispute-fees.ts';
import { closeDispute, standingChargebackOf, upsertDispute, type DisputeRow } from './dispute-queries.ts';
import type { GatewayNotice } from './gateways/types.ts';
import type { DisputeClosing } from './ledger.ts';
import type { PaymentRow } from './queries.ts';

/**
 * Records what a gateway says about a dispute and returns the dispute when the payment should move on it, or
 * undefined when the news is stale. A dispute is remembered from its first event, whichever that is, so that an
 * opening delivered after its closing changes nothing; won is final (a later "lost" for the same dispute is stale),
 * while lost may still turn into won (Adyen reverses a chargeback it took: CHARGEBACK, then CHARGEBACK_REVERSED), and
 * won into lost again (Adyen SECOND_CHARGEBACK, PREARBITRATION_LOST), which only the pre-arbitration's win
 * (PREARBITRATION_WON) still undoes; that win ends the dispute for good.
 * A closing that reports the gateway's fees settles them in the ledger (dispute-fees.ts), even when the payment
 * does not move on it. Runs under the payment's row lock, so two events of one dispute are applied one after the other.
 *
 * @example
 * const dispute = await recordDispute(tx, payment, notice); // notice.kind: 'disputed' | 'dispute_won' | 'dispute_lost' | 'dispute_lost_again' | 'dispute_won_again'
 */
export async function recordDispute(tx: Tx, payment: PaymentRow, notice: GatewayNotice): Promise<DisputeRow | undefined> {
  if (!notice.disputeRef) return undefined;
  const dispute = await upsertDispute(tx, {
    id: randomUUID(), paymentId: payment.id, gateway: notice.gateway, disputeRef: notice.disputeRef,
    amount: notice.amount ?? null, currency: payment.currency.trim(), reason: notice.reason ?? null,
  });
  if (dispute.paymentId !== payment.id || dispute.wonAgain) return undefined;
  if (dispute.lostAgain && notice.kind !== 'dispute_won_again') return undefined;
  if (notice.kind === 'disputed') return dispute.status === 'open' ? dispute : undefined;
  const close = async (closing: DisputeClosing, outcome: { status: 'won' | 'lost'; lostAgain?: boolean; wonAgain?: boolean }) => {
    const closed = await closeDispute(tx, dispute.id, { ...outcome, fee: notice.fee?.amount ?? null, feeCurrency: notice.fee?.currency ?? null });
    await settleDisputeFee(tx, payment, closed, closing, notice.fee);
    return closed;
  };
  // Lost again whatever came before: a payment still charged back by this dispute (its reversal not delivered yet)
  // stays so, the first chargeback standing for the net (taken, given back, taken again); the late reversal is stale.
  if (notice.kind === 'dispute_lost_again') return close('lost_again', { status: 'lost', lostAgain: true });
  // Won in pre-arbitration whatever came before: it gives back what this dispute's chargeback that stands took (the
  // second one, or the first when the second overtook the reversal), or ends it while still open.
  if (notice.kind === 'dispute_won_again') {
    const closed = await close('won_again', { status: 'won', wonAgain: true });
    return (await winMoves(tx, payment, dispute)) ? closed : undefined;
  }
  const status = notice.kind === 'dispute_won' ? 'won' : 'lost';
  if (dispute.status === 'won' || dispute.status === status) return undefined;
  const closed = await close(status, { status });
  if (status === 'won' && !(await winMoves(tx, payment, dispute))) return undefined;
  return closed;
}

/**
 * Whether winning `dispute` (as it stood before the win) moves the payment. A charged-back payment only when a
 * chargeback of this dispute stands (another dispute may have charged it back, or this one was lost while the payment
 * already was); any other payment only when the dispute was still open (a lost one that took nothing leaves it).
 */
async function winMoves(tx: Tx, payment: PaymentRow, dispute: DisputeRow): Promise<boolean> {
  if (payment.status === 'charged_back') return (await standingChargebackOf(tx, dispute.id)) !== undefined;
  return dispute.status === 'open';
}
