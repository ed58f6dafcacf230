import { Hono } from 'hono';
import { httpDeliver } from '../../shared/bus/http-deliver.ts';
import { connectJetStream } from '../../shared/bus/nats.ts';
import { configOrExit } from '../../shared/config/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { healthRoutes } from '../../shared/http/app.ts';
import { databaseReady } from '../../shared/http/function.ts';
import { serveApp } from '../../shared/http/serve.ts';
import { initTelemetry } from '../../shared/telemetry/index.ts';
import { startBusWorker } from './bus-worker.ts';

// The production home of the bus's background work (`npm start` runs the same worker in process): one small,
// always-on Deployment that relays every function's outbox to JetStream and hands out queued deliveries and replays.
const cfg = configOrExit();
if (!cfg.nats) throw new Error('NATS_URL: the bus worker publishes to JetStream and needs it');
await initTelemetry(cfg);
const jetstream = await connectJetStream(cfg.nats);
const worker = startBusWorker({
  sql: db(),
  publisher: jetstream.publisher,
  deliver: httpDeliver((name) => cfg.functionUrlTemplate.replace('{function}', name), cfg.platformSecret),
  retry: { maxAttempts: cfg.events.maxAttempts, backoffMs: cfg.events.backoffMs },
});
const app = new Hono();
healthRoutes(app, [databaseReady, { name: 'nats', check: async () => void (await jetstream.connection.flush()) }]);
await serveApp(app.fetch, {
  port: cfg.port,
  name: 'bus-worker',
  onShutdown: async () => {
    await worker.stop();
    await jetstream.close();
    await closeDb();
  },
});
