import type { Hono } from 'hono';
import { cronRoutes, type CronHandler } from '../bus/cron.ts';
import { eventRoutes, type Subscription } from '../bus/consumer.ts';
import { config } from '../config/index.ts';
import { db } from '../db/index.ts';
import { createApp, type ReadinessCheck } from './app.ts';

/** The database answers a trivial query: the readiness of every function that stores anything. */
export const databaseReady: ReadinessCheck = {
  name: 'database',
  async check() {
    await db()`select 1`;
  },
};

/** What a capability is made of; see {@link defineFunction}. */
export interface FunctionSpec {
  /** kebab-case; also its schema (with `_`), its Knative Service and its event consumer name. */
  name: string;
  /** The public API (full paths, e.g. `/v1/cases`), reached through the prefixes declared in `triggers/http.ts`. */
  routes?: Hono;
  /** Event types it consumes, as declared in `triggers/events.ts`. */
  events?: Subscription[];
  /** Scheduled jobs by name, as declared in `triggers/cron.ts`. */
  cron?: Record<string, CronHandler>;
  /** What `/readyz` checks; the database by default. */
  ready?: ReadinessCheck[];
}

/** A deployable function: one Hono app, plus what it says it consumes and schedules (checked against `triggers/`). */
export interface ConsiliumFunction {
  name: string;
  app: Hono;
  consumes: string[];
  jobs: string[];
}

/**
 * Assembles a function: the shared base (errors, tracing, health), its public routes, and the internal
 * endpoints for events (`POST /_events`) and cron ticks (`POST /_cron/:name`), which only the platform may call.
 * Nothing here knows which runtime will call it.
 *
 * @example
 * export default defineFunction({ name: 'matching', routes, events: [on(CaseTriagedV1, openOffers)], cron: { 'expire-offers': expireOffers } });
 */
export function defineFunction(spec: FunctionSpec): ConsiliumFunction {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) throw new Error(`function name ${spec.name} must be kebab-case`);
  const app = createApp({ name: spec.name, ready: spec.ready ?? [databaseReady] });
  const secret = () => config().platformSecret;
  const events = spec.events ?? [];
  const cron = spec.cron ?? {};
  if (events.length) app.route('/', eventRoutes(spec.name, events, { secret }));
  if (Object.keys(cron).length) app.route('/', cronRoutes(spec.name, cron, { secret }));
  if (spec.routes) app.route('/', spec.routes);
  return { name: spec.name, app, consumes: events.map((e) => e.definition.type), jobs: Object.keys(cron) };
}
