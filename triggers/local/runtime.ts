import { Hono } from 'hono';
import { toBinaryHttp, type CloudEvent } from '../../events/envelope.ts';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { CRON_TICK_TYPE } from '../../shared/bus/cron.ts';
import { dispatchDue, outcomeOf, queuePublisher, type Deliver, type RetryPolicy } from '../../shared/bus/delivery.ts';
import type { JetStreamBus } from '../../shared/bus/nats.ts';
import { relayOnce } from '../../shared/bus/relay.ts';
import type { Sql } from '../../shared/db/index.ts';
import { onError, onNotFound } from '../../shared/http/errors.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { log } from '../../shared/telemetry/index.ts';
import { bySpecificity } from '../http-order.ts';
import type { CronTrigger, EventTrigger, HttpTrigger } from '../types.ts';
import { checkDeclarations } from './declarations.ts';
import { startBusWorker } from '../worker/bus-worker.ts';
import { loop, type Loop } from './loop.ts';
import { createScheduler } from './scheduler.ts';

export interface RuntimeOptions {
  functions: readonly ConsiliumFunction[];
  http: readonly HttpTrigger[];
  events: readonly EventTrigger[];
  cron: readonly CronTrigger[];
  sql: Sql;
  secret: string;
  retry: RetryPolicy;
  /** JetStream when `NATS_URL` is set; otherwise events travel through the in-process delivery queue. */
  jetstream?: JetStreamBus;
  /** Relay only the outbox rows of these sources (tests sharing one database); all by default. */
  relaySources?: readonly string[];
  /** Extra routes served at the root before the functions (OpenAPI, local blob URLs). */
  extraRoutes?: Hono;
  /** How often the loops look for work when nothing wakes them. */
  pollMs?: number;
  /** The scheduler's clock (tests move it by hand). */
  now?: () => Date;
}

/**
 * Everything `npm start` runs in one process: every function mounted under its HTTP prefixes, the outbox relay,
 * event delivery (JetStream or the in-process queue) and the cron scheduler. Events and ticks reach a function as
 * signed HTTP requests to its internal endpoints, exactly as Knative would send them, only without a network hop.
 *
 * @example
 * const runtime = createRuntime({ functions, http, events, cron, sql: db(), secret, retry });
 * await serveApp(runtime.app.fetch, { port: 8080 });
 * await runtime.start();
 */
export function createRuntime(options: RuntimeOptions) {
  checkDeclarations(options);
  const byName = new Map(options.functions.map((f) => [f.name, f]));
  const fn = (name: string) => byName.get(name)!;
  const consumersOf = (type: string) => options.events.filter((e) => e.event === type).map((e) => e.function);
  const consumers = [...new Set(options.events.map((e) => e.function))];
  const now = options.now ?? (() => new Date());

  const internalCall = async (name: string, path: string, headers: Record<string, string>, body: string) => {
    const token = await signPlatformToken(options.secret, name);
    const request = new Request(`http://${name}.internal${path}`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${token}` },
      body,
    });
    return fn(name).app.fetch(request);
  };

  const deliver: Deliver = async (consumer: string, event: CloudEvent) => {
    const { headers, body } = toBinaryHttp(event);
    const response = await internalCall(consumer, '/_events', headers, body);
    return outcomeOf(response.status, await response.text(), response.headers.get('retry-after'));
  };

  const scheduler = createScheduler(
    options.cron,
    async (trigger, scheduledAt) => {
      const response = await internalCall(trigger.function, `/_cron/${trigger.job}`, {
        'ce-specversion': '1.0',
        'ce-id': `${trigger.function}.${trigger.job}.${scheduledAt.toISOString()}`,
        'ce-source': 'consilium/local-scheduler',
        'ce-type': CRON_TICK_TYPE,
        'ce-time': scheduledAt.toISOString(),
        'content-type': 'application/json',
      }, JSON.stringify({ job: trigger.job }));
      if (!response.ok) log.error('cron job failed', { function: trigger.function, job: trigger.job, status: response.status });
    },
    now(),
  );

  const publisher = options.jetstream?.publisher ?? queuePublisher(consumersOf);
  const relay = () => relayOnce(options.sql, publisher, options.relaySources ? { sources: options.relaySources } : {});
  const dispatch = () => dispatchDue(options.sql, deliver, options.retry, { consumers, ...(options.relaySources ? { sources: options.relaySources } : {}) });

  const app = new Hono();
  app.onError(onError);
  app.notFound(onNotFound);
  // No tracing here: each function traces the requests it serves; a second span per request would only add cost.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      options.functions.map(async (f) => ({ name: f.name, status: (await f.app.request('/readyz')).status })),
    );
    const failing = results.filter((r) => r.status !== 200).map((r) => r.name);
    return c.json({ status: failing.length ? 'unavailable' : 'ok', failing }, failing.length ? 503 : 200);
  });
  if (options.extraRoutes) app.route('/', options.extraRoutes);
  for (const route of bySpecificity(options.http)) {
    const forward = (c: { req: { raw: Request } }) => fn(route.function).app.fetch(c.req.raw);
    const paths = [route.prefix, `${route.prefix}/*`];
    if (route.methods) app.on(route.methods, paths, forward);
    else app.all(paths[0]!, forward).all(paths[1]!, forward);
  }

  const running: Loop[] = [];
  const stops: (() => Promise<void>)[] = [];
  return {
    app,
    deliver,
    scheduler,
    publisher,
    /** Runs one relay pass and one delivery pass now, without the background loops (tests). */
    async pump(): Promise<{ relayed: number; dispatched: number }> {
      return { relayed: await relay(), dispatched: await dispatch() };
    },
    /** Starts JetStream consumers, the bus worker (relay, deliveries, pruning) and the cron scheduler. */
    async start(): Promise<void> {
      if (options.jetstream) {
        for (const consumer of consumers) {
          const types = options.events.filter((e) => e.function === consumer).map((e) => e.event);
          stops.push(await options.jetstream.consume(consumer, types, deliver, options.retry, options.sql));
        }
      }
      const worker = startBusWorker({
        sql: options.sql,
        publisher,
        deliver,
        retry: options.retry,
        consumers,
        ...(options.relaySources ? { sources: options.relaySources } : {}),
        ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      });
      stops.push(() => worker.stop());
      running.push(loop('cron', () => scheduler.tick(now()).then(() => 0), 1000));
    },
    /** Stops the loops and consumers, letting the passes under way finish. */
    async stop(): Promise<void> {
      await Promise.all([...running.splice(0).map((l) => l.stop()), ...stops.splice(0).map((s) => s())]);
    },
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
