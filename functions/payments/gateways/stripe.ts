import Stripe from 'stripe';
import type { PaymentSettings } from '../settings.ts';
import type { Gateway } from './types.ts';

/**
 * A Stripe client for the configured key; `api` points the SDK at another host (tests: a local server speaking
 * Stripe's wire format).
 *
 * @example
 * const stripe = stripeClient(settings.stripe!);
 */
export function stripeClient(stripe: NonNullable<PaymentSettings['stripe']>): Stripe {
  return new Stripe(stripe.secretKey, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    ...(stripe.api ? { host: stripe.api.host, port: stripe.api.port, protocol: stripe.api.protocol } : {}),
  });
}

/**
 * Stripe as a gateway: a PaymentIntent per payment (its client_secret goes to the browser), refunds against it.
 * Our ids are the idempotency keys, so retried calls create nothing twice.
 *
 * @example
 * const gateway = stripeGateway(settings.stripe!);
 */
export function stripeGateway(settings: NonNullable<PaymentSettings['stripe']>): Gateway {
  const stripe = stripeClient(settings);
  return {
    name: 'stripe',
    async createPayment(request) {
      const intent = await stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          metadata: { paymentId: request.paymentId, caseId: request.caseId },
        },
        { idempotencyKey: `payment-${request.paymentId}` },
      );
      return { ref: intent.id, ...(intent.client_secret ? { clientSecret: intent.client_secret } : {}) };
    },
    async refund(request) {
      const refund = await stripe.refunds.create(
        { payment_intent: request.paymentRef, amount: request.amount, metadata: { refundId: request.refundId, paymentId: request.paymentId } },
        { idempotencyKey: `refund-${request.refundId}` },
      );
      return { ref: refund.id };
    },
  };
}
