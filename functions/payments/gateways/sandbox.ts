import type { Gateway } from './types.ts';

/**
 * The sandbox gateway: takes no money. A payment is completed by `POST /v1/payments/sandbox/{id}/confirm`; a
 * refund is confirmed at once by the caller feeding the returned ref back as a gateway notice (the webhook path).
 *
 * @example
 * const { ref } = await sandboxGateway().createPayment({ paymentId, caseId, amount: 100, currency: 'EUR' });
 */
export function sandboxGateway(): Gateway {
  return {
    name: 'sandbox',
    async createPayment(request) {
      return { ref: `sb_${request.paymentId}`, clientSecret: `sb_${request.paymentId}_secret` };
    },
    async refund(request) {
      return { ref: `sbr_${request.refundId}` };
    },
  };
}
