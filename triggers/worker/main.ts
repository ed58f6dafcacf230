import { Hono } from 'hono';
import { httpDeliver } from '../../shared/bus/http-deliver.ts';
import { connectJetStream } from '../../shared/bus/nats.ts';
import { configOrExit } from '../../shared/config/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { healthRoutes } from '../../shared/http/app.ts';
import { onError } from '../../shared/http/errors.ts';
import { databaseReady } from '../../shared/http/function.ts';
import { serveApp } from '../../shared/http/serve.ts';
import { initTelemetry } from '../../shared/telemetry/index.ts';
import { BRIDGE_CONSUMER, brokerDeliver, routeDeliveries, tokenFile } from './broker.ts';
import { startBusWorker } from './bus-worker.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { busMetricsRoutes } from './metrics.ts';
import { jetStreamSubscriptions } from './subscriptions.ts';

// The production home of the bus's background work (`npm start` runs the same worker in process): one small,
// always-on Deployment that relays every function's outbox to JetStream, then either bridges JetStream to the
// Knative Broker (BUS_BROKER_URL; Triggers deliver) or delivers straight to the functions; it also parks Knative's
// dead letters and hands out replays. See infra/README.md, "Event delivery".
const cfg = configOrExit();
if (!cfg.nats) throw new Error('NATS_URL: the bus worker publishes to JetStream and needs it');
await initTelemetry(cfg);
const jetstream = await connectJetStream(cfg.nats);
const retry = { maxAttempts: cfg.events.maxAttempts, backoffMs: cfg.events.backoffMs };
const toFunction = httpDeliver((name) => cfg.functionUrlTemplate.replace('{function}', name), cfg.platformSecret);
const toBroker = cfg.busBroker
  ? brokerDeliver({ url: cfg.busBroker.url, ...(cfg.busBroker.tokenFile ? { token: tokenFile(cfg.busBroker.tokenFile) } : {}) })
  : undefined;
const deliver = toBroker ? routeDeliveries(toBroker, toFunction) : toFunction;
const worker = startBusWorker({ sql: db(), publisher: jetstream.publisher, deliver, retry });
const stops = await Promise.all(
  jetStreamSubscriptions(Boolean(toBroker)).map(({ consumer, types }) => jetstream.consume(consumer, types, consumer === BRIDGE_CONSUMER ? toBroker! : toFunction, retry, db())),
);
const app = new Hono();
app.onError(onError);
healthRoutes(app, [databaseReady, { name: 'nats', check: async () => void (await jetstream.connection.flush()) }]);
app.route('/', deadLetterRoutes({ sql: db, secret: () => cfg.platformSecret, attempts: cfg.events.maxAttempts }));
app.route('/', busMetricsRoutes(db));
await serveApp(app.fetch, {
  port: cfg.port,
  name: 'bus-worker',
  onShutdown: async () => {
    await Promise.all(stops.map((stop) => stop()));
    await worker.stop();
    await jetstream.close();
    await closeDb();
  },
});
