import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { contextFromTraceparent, log, SpanKind, withSpan } from '../telemetry/index.ts';
import { limitBody } from './body-limit.ts';
import { onError, onNotFound } from './errors.ts';
import { problems } from './problem.ts';

/** JSON bodies larger than this are refused with 413 before they are read; uploads go to blob storage directly. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** A dependency a function needs to serve traffic; `/readyz` answers 503 naming the ones that fail. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * Traces each request as a server span, continuing the caller's `traceparent`, and logs its outcome (method,
 * route pattern, status, duration: never the path's ids or the body).
 */
export function traceRequests(service: string): MiddlewareHandler {
  return async function traceRequest(c, next) {
    const started = performance.now();
    await withSpan(
      `${c.req.method} ${service}`,
      async () => {
        await next();
      },
      { 'http.request.method': c.req.method, 'service.name': service },
      { kind: SpanKind.SERVER, parent: contextFromTraceparent(c.req.header('traceparent')) },
    );
    log.debug('request', {
      service,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  };
}

/** Answers `/healthz` (the process is alive) and `/readyz` (every check passes) on `app`. */
export function healthRoutes(app: Hono, checks: ReadinessCheck[]): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 2000);
          return { name, ok: true };
        } catch (error) {
          log.warn('readiness check failed', { check: name, error: (error as Error).message });
          return { name, ok: false };
        }
      }),
    );
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    return c.json({ status: failing.length ? 'unavailable' : 'ok', failing }, failing.length ? 503 : 200);
  });
}

/**
 * The base of every function: problem+json errors, request ids, tracing, `/healthz` and `/readyz`.
 *
 * @example
 * export const app = createApp({ name: 'cases', ready: [databaseReady] });
 * app.get('/v1/cases', listCases);
 */
export function createApp(options: { name: string; ready?: ReadinessCheck[] }): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound(onNotFound);
  // Registered before the middleware, so probes answer without request ids, spans or body checks.
  healthRoutes(app, options.ready ?? []);
  app.use(requestId());
  app.use(traceRequests(options.name));
  app.use(
    limitBody(MAX_JSON_BODY_BYTES, () => {
      throw problems.tooLarge(`Request bodies may be at most ${MAX_JSON_BODY_BYTES} bytes.`);
    }),
  );
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
