import { Hono } from 'hono';
import Stripe from 'stripe';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import type { GatewayNotice } from './gateways/types.ts';
import { ingest } from './ingest.ts';
import type { PaymentSettings } from './settings.ts';
import { webhookRejecter } from './webhook-reject.ts';

// Only the webhook helpers are used; the key is never used to call Stripe from here.
const webhooks = new Stripe('sk_webhooks_only').webhooks;

type Obj = Record<string, any>;
const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
const num = (x: unknown) => (typeof x === 'number' && Number.isSafeInteger(x) ? x : undefined);

/**
 * Maps a verified Stripe event onto a gateway notice. Risk and card country are read from the PaymentIntent's
 * latest charge when Stripe sends it expanded (Radar's outcome.risk_level); other event types are recorded and
 * ignored.
 *
 * @example
 * stripeNotice({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount: 100, currency: 'eur' } } });
 */
export function stripeNotice(event: { id: string; type: string; data: { object: Obj } }): GatewayNotice {
  const o = event.data.object ?? {};
  const base = { gateway: 'stripe' as const, eventKey: event.id, currency: str(o.currency)?.toUpperCase() };
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const charge: Obj | undefined = typeof o.latest_charge === 'object' && o.latest_charge ? o.latest_charge : undefined;
      return {
        ...base, kind: 'succeeded', paymentRef: str(o.id), paymentId: str(o.metadata?.paymentId), amount: num(o.amount_received) ?? num(o.amount),
        risk: charge?.outcome?.risk_level, cardCountry: str(charge?.payment_method_details?.card?.country)?.toUpperCase(),
      };
    }
    case 'payment_intent.payment_failed':
      return { ...base, kind: 'failed', paymentRef: str(o.id), paymentId: str(o.metadata?.paymentId) };
    case 'charge.refunded': {
      const latest: Obj | undefined = o.refunds?.data?.[0];
      return {
        ...base, kind: 'refunded', paymentRef: str(o.payment_intent), amount: num(o.amount_refunded),
        refundRef: str(latest?.id), refundId: str(latest?.metadata?.refundId),
      };
    }
    case 'charge.dispute.created':
      return { ...base, kind: 'disputed', paymentRef: str(o.payment_intent), amount: num(o.amount), disputeRef: str(o.id), reason: str(o.reason) };
    case 'charge.dispute.closed': {
      // Other closings (warning_closed: an inquiry that never became a chargeback) move no money.
      const kind = o.status === 'won' ? 'dispute_won' : o.status === 'lost' ? 'dispute_lost' : 'ignored';
      return { ...base, kind, paymentRef: str(o.payment_intent), amount: num(o.amount), disputeRef: str(o.id), reason: str(o.reason), fee: disputeFee(o) };
    }
    default:
      return { ...base, kind: 'ignored' };
  }
}

/**
 * What Stripe kept for a dispute: the sum of the fees of its balance transactions (the withdrawal carries the dispute
 * fee, a reinstatement gives back, as a negative fee, whatever Stripe returns on a win), when they are present and in
 * one currency; 0 when they net out (the fee was given back); otherwise nothing, never a guess.
 * Whether Stripe returns the fee of a won dispute depends on when and where: its dispute fees FAQ says it refunds the
 * dispute fee of a won dispute (https://support.stripe.com/questions/dispute-fees-faq), while its disputes overview now
 * says a win returns the disputed amount and the dispute countered fee (https://support.stripe.com/topics/disputes),
 * not the dispute received fee. So we book what these transactions say, not either rule.
 *
 * @example
 * disputeFee({ balance_transactions: [{ amount: -15000, fee: 1500, currency: 'eur' }] }); // { amount: 1500, currency: 'EUR' }
 * disputeFee({ balance_transactions: [{ amount: -15000, fee: 1500, currency: 'eur' }, { amount: 15000, fee: -1500, currency: 'eur' }] }); // { amount: 0, currency: 'EUR' }
 */
export function disputeFee(dispute: Obj): { amount: number; currency: string } | undefined {
  const transactions: Obj[] = Array.isArray(dispute.balance_transactions) ? dispute.balance_transactions.filter((t: unknown) => typeof t === 'object' && t) : [];
  const charged = transactions.filter((t) => num(t.fee) !== undefined && str(t.currency));
  const currencies = new Set(charged.map((t) => str(t.currency)!.toUpperCase()));
  if (currencies.size !== 1) return undefined;
  const amount = charged.reduce((sum, t) => sum + num(t.fee)!, 0);
  return amount >= 0 ? { amount, currency: [...currencies][0]! } : undefined;
}

/**
 * `POST /v1/webhooks/stripe`: verifies the signature over the raw body with the SDK (tolerance from settings), then
 * applies the event once (deduplicated on its id). A refused webhook stores nothing but the security event.
 *
 * @example
 * app.route('/', stripeWebhookRoutes(settings));
 */
export function stripeWebhookRoutes(settings: PaymentSettings): Hono {
  const app = new Hono();
  const rejectWebhook = webhookRejecter(settings);
  app.post(
    '/v1/webhooks/stripe',
    describe({ summary: 'Stripe webhook (signed)', tags: ['payments'], audience: 'Stripe', responses: { 200: 'Applied or a duplicate', 400: 'Bad signature', 429: 'Too many refused webhooks from this address' } }),
    async (c) => {
      if (!settings.stripe) throw new HttpProblem(404, 'not-found', { detail: 'Stripe is not configured.' });
      const raw = await c.req.text();
      const signature = c.req.header('stripe-signature');
      if (!signature) throw await rejectWebhook(c, 'stripe', 'missing-signature');
      let event: Stripe.Event;
      try {
        event = webhooks.constructEvent(raw, signature, settings.stripe.webhookSecret, settings.stripe.toleranceSeconds);
      } catch (error) {
        const message = (error as Error).message ?? '';
        throw await rejectWebhook(c, 'stripe', error instanceof SyntaxError ? 'malformed' : /tolerance/i.test(message) ? 'stale-timestamp' : 'bad-signature');
      }
      const notice = stripeNotice(event as unknown as { id: string; type: string; data: { object: Obj } });
      const outcome = await transaction((tx) => ingest(tx, settings, notice));
      return c.json({ received: true, outcome });
    },
  );
  return app;
}
