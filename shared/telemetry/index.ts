import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config/index.ts';
import { traceSqlQueries } from './sql-spans.ts';

export { log } from './log.ts';

let started = false;

/**
 * Installs the tracer provider once per process. Spans always get real ids (so logs and events carry a trace id);
 * they are exported only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. The SDK is imported here rather than at the
 * top, so a function can answer its first probe before paying for it (see `serveFunction`).
 *
 * @example
 * await initTelemetry(config());
 */
export async function initTelemetry(cfg: Pick<Config, 'otel'>, extra: { spanProcessors?: SpanProcessor[] } = {}): Promise<void> {
  if (started) return;
  started = true;
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { BasicTracerProvider, BatchSpanProcessor }] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks').then(commonJs),
      import('@opentelemetry/core').then(commonJs),
      import('@opentelemetry/sdk-trace-base').then(commonJs),
    ]);
  const spanProcessors: SpanProcessor[] = [...(extra.spanProcessors ?? [])];
  if (cfg.otel) {
    // Loaded only when exporting, so a function that does not export starts without it.
    const { OTLPTraceExporter } = commonJs(await import('@opentelemetry/exporter-trace-otlp-http'));
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${cfg.otel.endpoint}/v1/traces` })));
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors }));
  // A span per query is only worth its cost when something receives it; ids for logs come from the other spans.
  if (spanProcessors.length > 0) traceSqlQueries();
}

/** These packages are CommonJS: imported lazily from a bundle chunk, their exports sit under `default`. */
function commonJs<T extends object>(module: T): T {
  return (module as { default?: T }).default ?? module;
}

const tracer = () => trace.getTracer('consilium');

/**
 * Runs `work` inside a span named `name`, recording failures. The span is the active one for everything `work` awaits.
 *
 * @example
 * await withSpan('event.handle', () => handler(event), { 'event.type': event.type });
 */
export function withSpan<T>(
  name: string,
  work: () => Promise<T>,
  attributes: Attributes = {},
  options: { kind?: SpanKind; parent?: Context } = {},
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes, kind: options.kind ?? SpanKind.INTERNAL }, options.parent ?? context.active(), async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The W3C `traceparent` of the active span, to carry through the outbox and events. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A context whose parent is the given `traceparent` (from a request header or an event). */
export function contextFromTraceparent(traceparent: string | undefined | null): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

/** The active trace id, for logs and error answers. */
export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}

export { SpanKind };
