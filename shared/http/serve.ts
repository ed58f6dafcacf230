import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { configOrExit } from '../config/index.ts';
import { closeDb } from '../db/index.ts';
import { flushTelemetry, initTelemetry, log } from '../telemetry/index.ts';
import type { ConsiliumFunction } from './function.ts';

/**
 * Serves `fetch` on `port` and shuts down gracefully on SIGTERM/SIGINT: stop accepting connections, let the
 * requests in flight finish (also those whose client has gone), run `onShutdown` (close the database, stop loops), exit 0 — or exit 1 when the grace
 * period runs out first (Kubernetes sends SIGKILL after its own grace period anyway).
 *
 * @example
 * await serveApp(app.fetch, { port: 8080, onShutdown: closeDb });
 */
export async function serveApp(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { port: number; hostname?: string; onShutdown?: () => Promise<void>; graceMs?: number; name?: string },
): Promise<{ port: number; shutdown: () => Promise<void> }> {
  // Handlers still running, even for clients that went away: shutdown waits for them before closing the database.
  let inFlight = 0;
  let settled: (() => void) | undefined;
  const done = () => {
    if (--inFlight === 0) settled?.();
  };
  // An answer made synchronously (probes, Hono's single-handler routes) is handed back as it is, not in a promise:
  // @hono/node-server writes such a Response on its fast path, without waiting a turn of the event loop.
  const tracked = (request: Request): Response | Promise<Response> => {
    inFlight++;
    let answer: Response | Promise<Response>;
    try {
      answer = fetch(request);
    } catch (error) {
      done();
      throw error;
    }
    if (answer instanceof Promise) return answer.finally(done);
    done();
    return answer;
  };
  const server = await new Promise<ReturnType<typeof serve>>((ready) => {
    const s = serve({ fetch: tracked, port: options.port, hostname: options.hostname ?? '0.0.0.0' }, () => ready(s));
  });
  const port = (server.address() as AddressInfo).port;
  log.info('listening', { service: options.name ?? 'consilium', port });

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      log.info('draining', { service: options.name ?? 'consilium' });
      const timer = setTimeout(() => {
        log.error('grace period over; exiting with requests still open', { service: options.name ?? 'consilium' });
        process.exit(1);
      }, options.graceMs ?? 25_000);
      timer.unref();
      await new Promise<void>((done) => server.close(() => done()));
      if (inFlight > 0) await new Promise<void>((done) => (settled = done));
      await options.onShutdown?.();
      await flushTelemetry();
      clearTimeout(timer);
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().then(() => process.exit(0));
    });
  }
  return { port, shutdown };
}

/**
 * Serves one function alone, as its Knative Service does: on `$PORT`, draining on SIGTERM, closing the database
 * last. Nothing connects before the first request that needs it, so a scaled-to-zero function starts fast.
 *
 * @example
 * // functions/cases/main.ts
 * await serveFunction(cases);
 */
export async function serveFunction(fn: ConsiliumFunction) {
  const cfg = configOrExit();
  const served = await serveApp(fn.app.fetch, { port: cfg.port, name: fn.name, onShutdown: closeDb });
  // After listening: a cold start answers its first request sooner; requests before this are simply not traced.
  await initTelemetry(cfg);
  return served;
}
