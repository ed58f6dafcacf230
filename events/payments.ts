import * as v from 'valibot';
import { defineEvent } from './envelope.ts';
import { Money } from './vocabulary.ts';

// Payment events carry ids, amounts and codes only: never card data, names or anything from the case.

const Gateway = v.picklist(['stripe', 'adyen', 'sandbox']);

export const PaymentCapturedV1 = defineEvent(
  'payment.captured.v1',
  'A case was paid and the money captured (after any fraud hold was cleared); the case moves to triage.',
  v.object({ paymentId: v.string(), caseId: v.string(), ownerId: v.string(), gateway: Gateway, amount: Money }),
);

export const PaymentRefundedV1 = defineEvent(
  'payment.refunded.v1',
  'The gateway confirmed a refund of a case payment; full says whether the whole amount went back.',
  v.object({ paymentId: v.string(), caseId: v.string(), refundId: v.string(), amount: Money, full: v.boolean() }),
);

export const PaymentHeldV1 = defineEvent(
  'payment.held.v1',
  'A case payment was taken but held for fraud review (gateway risk, country mismatch); ops release it or refund it. No payment.captured.v1 until released.',
  v.object({ paymentId: v.string(), caseId: v.string(), gateway: Gateway, reasons: v.array(v.string()) }),
);

export const PaymentFailedV1 = defineEvent(
  'payment.failed.v1',
  'The gateway declined a case payment; the patient may try again.',
  v.object({ paymentId: v.string(), caseId: v.string(), gateway: Gateway }),
);

export const PaymentWebhookRejectedV1 = defineEvent(
  'payment.webhook.rejected.v1',
  'A security event: a gateway webhook was refused (bad or missing signature, stale timestamp, malformed body). Nothing from it was stored.',
  v.object({ gateway: Gateway, reason: v.picklist(['missing-signature', 'bad-signature', 'stale-timestamp', 'malformed']) }),
);

export const PaymentDisputedV1 = defineEvent(
  'payment.disputed.v1',
  'The card holder disputed a case payment at their bank (a chargeback was opened); ops may defend it. The money stays booked until the dispute is closed. reason is the gateway\'s reason code.',
  v.object({ paymentId: v.string(), caseId: v.string(), gateway: Gateway, disputeId: v.string(), amount: Money, reason: v.nullable(v.string()) }),
);

export const PaymentDisputeClosedV1 = defineEvent(
  'payment.dispute-closed.v1',
  'A dispute of a case payment was closed: won (the money stays with the platform; the payment goes back to the status the dispute took it from: captured, held or refunded) or lost (the money went back to the card holder, booked as a chargeback, with the gateway\'s dispute fee when it reported one).',
  v.object({
    paymentId: v.string(), caseId: v.string(), gateway: Gateway, disputeId: v.string(), outcome: v.picklist(['won', 'lost']), amount: Money,
    fee: v.nullable(Money),
  }),
);
