import { Hono } from 'hono';
import { requirePlatformCaller } from '../auth/platform.ts';
import { problems } from '../http/problem.ts';
import { withSpan } from '../telemetry/index.ts';

/** A scheduled job; `scheduledAt` is the tick's time, so a late or repeated tick can tell what it is for. */
export type CronHandler = (tick: { name: string; scheduledAt: Date }) => Promise<void>;

/** The CloudEvent type of a tick: what Knative's PingSource sends, and what the local scheduler imitates. */
export const CRON_TICK_TYPE = 'dev.knative.sources.ping';

/**
 * The internal endpoint `POST /_cron/:name` that runs a function's scheduled job when the platform ticks it.
 * Jobs must be safe to run twice at once and to repeat (two ticks can overlap; a tick can be redelivered).
 */
export function cronRoutes(functionName: string, jobs: Readonly<Record<string, CronHandler>>, deps: { secret: () => string }): Hono {
  const app = new Hono();
  app.use('/_cron/*', requirePlatformCaller(deps.secret, functionName));
  app.post('/_cron/:name', async (c) => {
    const name = c.req.param('name');
    const job = jobs[name];
    if (!job) throw problems.notFound(`${functionName} has no scheduled job ${name}.`);
    const time = c.req.header('ce-time');
    const scheduledAt = time && !Number.isNaN(Date.parse(time)) ? new Date(time) : new Date();
    await withSpan(`cron ${functionName}/${name}`, () => job({ name, scheduledAt }), { 'cron.job': name });
    return c.json({ status: 'done' });
  });
  return app;
}
