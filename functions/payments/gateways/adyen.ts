import type { PaymentSettings } from '../settings.ts';
import type { Gateway } from './types.ts';

/**
 * Adyen as a gateway through its Checkout API: a payment session per payment (the client finishes it with Drop-in),
 * refunds by the payment's pspReference. Our ids are the idempotency keys. The outcome arrives as a standard
 * notification (webhooks/adyen).
 *
 * @example
 * const gateway = adyenGateway(settings.adyen!);
 */
export function adyenGateway(settings: NonNullable<PaymentSettings['adyen']>): Gateway {
  const call = async (path: string, body: unknown, idempotencyKey: string) => {
    if (!settings.apiKey || !settings.merchantAccount || !settings.checkoutUrl) throw new Error('adyen: apiKey, merchantAccount and checkoutUrl are needed to take payments');
    const response = await fetch(`${settings.checkoutUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': settings.apiKey, 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`adyen ${path}: ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  return {
    name: 'adyen',
    async createPayment(request) {
      const session = await call(
        '/sessions',
        {
          merchantAccount: settings.merchantAccount,
          amount: { value: request.amount, currency: request.currency },
          reference: request.paymentId,
          returnUrl: 'https://consilium.health/payments/return',
          metadata: { caseId: request.caseId },
        },
        `payment-${request.paymentId}`,
      );
      // The payment's pspReference comes with the notification; until then the session id stands for it.
      return { ref: String(session.id), ...(typeof session.sessionData === 'string' ? { clientSecret: session.sessionData } : {}) };
    },
    async refund(request) {
      const refund = await call(
        `/payments/${encodeURIComponent(request.paymentRef)}/refunds`,
        { merchantAccount: settings.merchantAccount, amount: { value: request.amount, currency: request.currency }, reference: request.refundId },
        `refund-${request.refundId}`,
      );
      return { ref: String(refund.pspReference) };
    },
  };
}
