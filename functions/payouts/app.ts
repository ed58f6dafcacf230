import { Hono } from 'hono';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { on } from '../../shared/bus/consumer.ts';
import { defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { bankAccountRoutes } from './bank-account-routes.ts';
import { runWeeklyBatch } from './batch.ts';
import { batchRoutes } from './batch-routes.ts';
import { payoutsSettings, type PayoutsOptions, type PayoutsSettings } from './config.ts';
import { recordEarnings } from './earnings.ts';
import { earningsRoutes } from './earnings-routes.ts';
import { professionalView } from './professionals.ts';
import { statementRoutes } from './statement-routes.ts';

/**
 * The public routes of payouts, under `/v1/payouts`.
 *
 * @example
 * app.route('/', payoutRoutes(payoutsSettings()));
 */
export function payoutRoutes(settings: PayoutsSettings): Hono {
  const app = new Hono();
  app.route('/', bankAccountRoutes(settings));
  app.route('/', earningsRoutes());
  app.route('/', statementRoutes());
  app.route('/', batchRoutes(settings));
  return app;
}

/**
 * The payouts function: earnings from delivered opinions (author and peer reviewer, by grade and urgency), a view
 * of professionals from identity, professionals' bank accounts, and weekly payout batches (cron `weekly-batch`)
 * with statements, a SEPA credit-transfer file and marking paid.
 *
 * @example
 * const payouts = createPayouts({ currency: 'EUR', now: () => clock });
 */
export function createPayouts(options: PayoutsOptions = {}): ConsiliumFunction {
  const settings = payoutsSettings(options);
  return defineFunction({
    name: 'payouts',
    routes: payoutRoutes(settings),
    events: [on(OpinionDeliveredV1, (tx, event) => recordEarnings(tx, event, settings)), ...professionalView()],
    cron: {
      // The tick's own time picks the week, so a late or repeated tick still makes (or finds) the right batch.
      'weekly-batch': async (tick) => {
        await runWeeklyBatch(tick.scheduledAt, settings.now());
      },
    },
  });
}

export default createPayouts();
