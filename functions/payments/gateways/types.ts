import type { GatewayName } from '../settings.ts';

/** What we ask a gateway to take. */
export interface PaymentRequest {
  paymentId: string;
  caseId: string;
  amount: number;
  currency: string;
}

/** What the gateway gave back for the client to pay with. */
export interface CreatedPayment {
  ref: string;
  clientSecret?: string;
  redirectUrl?: string;
}

export interface RefundRequest {
  refundId: string;
  paymentId: string;
  paymentRef: string;
  amount: number;
  currency: string;
}

/**
 * One payment provider behind the same port. Calls are idempotent on our ids (payment id, refund id), so a retry
 * after a timeout never takes or returns money twice.
 */
export interface Gateway {
  name: GatewayName;
  createPayment(request: PaymentRequest): Promise<CreatedPayment>;
  /** Asks for a refund; its confirmation arrives later as a gateway event (webhook, or the sandbox itself). */
  refund(request: RefundRequest): Promise<{ ref: string }>;
}

/** A gateway event, normalised from a webhook (Stripe, Adyen) or the sandbox: what ingest.ts applies. */
export interface GatewayNotice {
  gateway: GatewayName;
  /** The gateway's unique id of this event: the dedupe key. */
  eventKey: string;
  /**
   * `dispute_lost_again`: lost after the gateway had reversed the dispute's chargeback (Adyen SECOND_CHARGEBACK,
   * PREARBITRATION_LOST); `dispute_won_again`: won in pre-arbitration after that, for good (Adyen PREARBITRATION_WON).
   */
  kind: 'succeeded' | 'failed' | 'refunded' | 'refund_failed' | 'disputed' | 'dispute_won' | 'dispute_lost' | 'dispute_lost_again' | 'dispute_won_again' | 'ignored';
  /** The gateway's reference of the payment (PaymentIntent id, Adyen pspReference / originalReference). */
  paymentRef?: string;
  /** Our payment id when the gateway echoes it (metadata, merchantReference). */
  paymentId?: string;
  /** Our refund id when the gateway echoes it. */
  refundId?: string;
  refundRef?: string;
  amount?: number;
  currency?: string;
  risk?: 'normal' | 'elevated' | 'highest' | 'not_assessed' | 'unknown';
  cardCountry?: string;
  /** The gateway's id of a dispute (Stripe dp_…, Adyen the dispute's pspReference), the same on all its events. */
  disputeRef?: string;
  /** The gateway's reason code of a dispute. */
  reason?: string;
  /**
   * What the gateway kept in dispute fees for the dispute so far, when its event says (Stripe's balance transactions:
   * 0 when a win gave the fee back); never guessed. Its closings settle the ledger to it (dispute-fees.ts).
   */
  fee?: { amount: number; currency: string };
}
