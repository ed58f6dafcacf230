import { cronTriggers } from '../triggers/cron.ts';
import { eventTriggers } from '../triggers/events.ts';
import { httpTriggers } from '../triggers/http.ts';
import type { CronTrigger, EventTrigger, HttpTrigger } from '../triggers/types.ts';

/** Everything infra generates from: the three trigger lists of `triggers/`. */
export interface Declarations {
  http: readonly HttpTrigger[];
  events: readonly EventTrigger[];
  cron: readonly CronTrigger[];
}

/**
 * The declarations as `triggers/` holds them today. Infra takes declarations as an argument everywhere so tests can
 * feed their own; this is the only place that reads the real ones.
 *
 * @example
 * const declarations = declaredTriggers();
 * functionNames(declarations); // ['identity']
 */
export function declaredTriggers(): Declarations {
  return { http: httpTriggers, events: eventTriggers, cron: cronTriggers };
}

/**
 * Every function some trigger names, sorted: one Knative Service each. Same rule as `declaredFunctionNames()` in
 * `triggers/registry.ts` (which reads only the real lists), so `npm run build` bundles exactly what infra deploys.
 *
 * @example
 * functionNames({ http: [{ prefix: '/v1/cases', function: 'cases' }], events: [], cron: [] }); // ['cases']
 */
export function functionNames(declarations: Declarations): string[] {
  const { http, events, cron } = declarations;
  const names = [...new Set([...http, ...events, ...cron].map((t) => t.function))].sort();
  for (const name of names) {
    // The name becomes a Kubernetes object name, a DNS label and a bundle path.
    if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw new Error(`function ${name}: must be a kebab-case DNS label`);
  }
  for (const { job, function: fn } of cron) {
    if (!/^[a-z0-9][-a-z0-9]*$/.test(job)) throw new Error(`cron job ${fn}/${job}: must be kebab-case (it is a URL path segment)`);
  }
  return names;
}
