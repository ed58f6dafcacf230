import { Hono } from 'hono';
import { defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { caseRoutes } from './case-routes.ts';
import { caseSubscriptions } from './consumers.ts';
import { documentRoutes, purgeAbandonedUploads } from './documents.ts';
import { uploadRoutes } from './upload-routes.ts';
import { flagOverdueCases, type SlaSweepScope } from './sla-sweep.ts';
import { submitRoutes } from './submit.ts';

export interface CasesOptions {
  /** Tests sharing a database: the `flag-overdue-cases` job looks only at these cases, on this clock. */
  slaSweep?: Pick<SlaSweepScope, 'caseIds' | 'now'>;
}

/**
 * The cases function: stage 1 (intake) of the design, and the one place a case's status changes — by its owner's
 * commands here, and by the facts other functions report as events. Its jobs purge abandoned uploads and flag paid
 * cases whose promised turnaround ran out before delivery.
 *
 * @example
 * const cases = createCases({ slaSweep: { caseIds: [] } }); // a test runtime whose cron flags nothing by itself
 */
export function createCases(options: CasesOptions = {}): ConsiliumFunction {
  const routes = new Hono();
  routes.route('/', caseRoutes());
  routes.route('/', uploadRoutes());
  routes.route('/', documentRoutes());
  routes.route('/', submitRoutes());
  return defineFunction({
    name: 'cases',
    routes,
    events: caseSubscriptions,
    cron: {
      'purge-abandoned-uploads': () => purgeAbandonedUploads(),
      'flag-overdue-cases': async () => void (await flagOverdueCases(options.slaSweep)),
    },
  });
}

export default createCases();
