import type { Context } from 'hono';
import { PaymentWebhookRejectedV1 } from '../../events/payments.ts';
import { createRateLimiter } from '../../shared/auth/rate-limit.ts';
import { emit } from '../../shared/bus/emit.ts';
import { config } from '../../shared/config/index.ts';
import { transaction } from '../../shared/db/index.ts';
import { clientIp } from '../../shared/http/client-ip.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { createKv } from '../../shared/kv/index.ts';
import type { GatewayName, PaymentSettings } from './settings.ts';

export type RejectReason = 'missing-signature' | 'bad-signature' | 'stale-timestamp' | 'malformed';

/** Refuses one webhook from the request's sender and returns the problem to throw. */
export type RejectWebhook = (c: Context, gateway: GatewayName, reason: RejectReason) => Promise<HttpProblem>;

/**
 * Builds the refusal of webhooks: each refusal records the security event (gateway and reason only, nothing from the
 * body) in a transaction of its own and answers 400. Refusals are counted per source address
 * (`settings.webhookRejections`, on the shared rate limiter: Redis or memory); over the limit the answer is 429 with
 * `Retry-After` and nothing is recorded, so a flood of forged webhooks cannot fill the outbox or the logs. Valid
 * webhooks are never counted: a gateway sharing an address with a forger is not slowed down.
 *
 * @example
 * const reject = webhookRejecter(settings);
 * throw await reject(c, 'stripe', 'bad-signature');
 */
export function webhookRejecter(settings: PaymentSettings): RejectWebhook {
  const limiter = createRateLimiter(settings.kv ?? createKv(config()), 'payments-webhook-rejections', settings.webhookRejections);
  return async function rejectWebhook(c, gateway, reason) {
    const verdict = await limiter.hit(clientIp(c));
    if (!verdict.allowed) return problems.tooManyRequests(verdict.retryAfterSeconds);
    await transaction((tx) => emit(tx, PaymentWebhookRejectedV1, { source: 'payments', data: { gateway, reason } }));
    return new HttpProblem(400, 'webhook-rejected', { detail: `The ${gateway} webhook was refused: ${reason}.` });
  };
}
