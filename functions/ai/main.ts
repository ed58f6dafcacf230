// Serves the ai function alone, as its Knative Service does (see shared/http/serve.ts). Like serveFunction, but
// on SIGTERM the triages already started finish (or reach their provider timeouts) before the database closes.
import { configOrExit } from '../../shared/config/index.ts';
import { closeDb } from '../../shared/db/index.ts';
import { serveApp } from '../../shared/http/serve.ts';
import { initTelemetry } from '../../shared/telemetry/index.ts';
import ai from './app.ts';

const cfg = configOrExit();
await serveApp(ai.app.fetch, {
  port: cfg.port,
  name: ai.name,
  onShutdown: async () => {
    await ai.runner.drain();
    await closeDb();
  },
});
await initTelemetry(cfg);
