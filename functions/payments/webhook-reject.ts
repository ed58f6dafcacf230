import { PaymentWebhookRejectedV1 } from '../../events/payments.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import type { GatewayName } from './settings.ts';

export type RejectReason = 'missing-signature' | 'bad-signature' | 'stale-timestamp' | 'malformed';

/**
 * Refuses a webhook: records the security event (gateway and reason only, nothing from the body) in a transaction
 * of its own — nothing else of the request is stored — and returns the 400 to throw.
 *
 * @example
 * throw await rejectWebhook('stripe', 'bad-signature');
 */
export async function rejectWebhook(gateway: GatewayName, reason: RejectReason): Promise<HttpProblem> {
  await transaction((tx) => emit(tx, PaymentWebhookRejectedV1, { source: 'payments', data: { gateway, reason } }));
  return new HttpProblem(400, 'webhook-rejected', { detail: `The ${gateway} webhook was refused: ${reason}.` });
}
