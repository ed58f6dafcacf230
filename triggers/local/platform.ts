import { Hono } from 'hono';
import { BLOB_ROUTES_PATH, blobRoutes, createBlobStore, FsBlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { connectJetStream } from '../../shared/bus/nats.ts';
import { db, type Sql } from '../../shared/db/index.ts';
import { discoverMigrations, migrate } from '../../shared/db/migrate.ts';
import { buildOpenApi, openApiRoutes } from '../../shared/http/openapi.ts';
import { log } from '../../shared/telemetry/index.ts';
import { cronTriggers } from '../cron.ts';
import { eventTriggers } from '../events.ts';
import { httpTriggers } from '../http.ts';
import { loadFunctions } from '../registry.ts';
import { createRuntime } from './runtime.ts';

/**
 * Assembles the whole platform from configuration and `triggers/`: migrations applied, every declared function
 * loaded, JetStream when `NATS_URL` is set, the OpenAPI document and the local blob endpoints at the root.
 */
export async function startPlatform(sql: Sql = db()) {
  const cfg = config();
  const applied = await migrate(sql, await discoverMigrations());
  if (applied.length) log.info('migrations applied', { count: applied.length });
  const functions = await loadFunctions();
  const jetstream = cfg.nats ? await connectJetStream(cfg.nats) : undefined;
  const extraRoutes = new Hono();
  const document = buildOpenApi(functions.map((f) => f.app), { title: 'Consilium', version: process.env.npm_package_version ?? '0.1.0' });
  extraRoutes.route('/', openApiRoutes(() => document));
  // Without S3, presigned upload and download URLs point here (signed, short-lived), as S3's would.
  const blobs = createBlobStore(cfg);
  if (blobs instanceof FsBlobStore) extraRoutes.route(BLOB_ROUTES_PATH, blobRoutes(blobs));
  const runtime = createRuntime({
    functions,
    http: httpTriggers,
    events: eventTriggers,
    cron: cronTriggers,
    sql,
    secret: cfg.platformSecret,
    retry: { maxAttempts: cfg.events.maxAttempts, backoffMs: cfg.events.backoffMs },
    extraRoutes,
    ...(jetstream ? { jetstream } : {}),
  });
  await runtime.start();
  return {
    runtime,
    async stop() {
      await runtime.stop();
      await jetstream?.close();
    },
  };
}
