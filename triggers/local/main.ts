import { configOrExit } from '../../shared/config/index.ts';
import { closeDb } from '../../shared/db/index.ts';
import { serveApp } from '../../shared/http/serve.ts';
import { initTelemetry, log } from '../../shared/telemetry/index.ts';
import { startPlatform } from './platform.ts';

// `npm start`: the whole platform in one process on $PORT, on embedded defaults unless configured otherwise.
const cfg = configOrExit();
await initTelemetry(cfg);
const platform = await startPlatform();
await serveApp(platform.runtime.app.fetch, {
  port: cfg.port,
  name: 'consilium',
  onShutdown: async () => {
    await platform.stop();
    await closeDb();
  },
});
log.info('platform ready', {
  port: cfg.port,
  database: cfg.database ? 'external' : 'embedded',
  events: cfg.nats ? 'jetstream' : 'in-process',
  blobs: cfg.s3 ? 's3' : 'filesystem',
  kv: cfg.redis ? 'upstash' : 'memory',
});
