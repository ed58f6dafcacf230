import { randomUUID } from 'node:crypto';
import {
  context,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config/index.ts';
import { log } from './log.ts';
import { traceSqlQueries } from './sql-spans.ts';

export { log };

let started = false;
/** What {@link flushTelemetry} pushes out before the process ends. */
const flushable: { forceFlush(): Promise<void> }[] = [];

/** How often metrics are pushed; a scale-down pushes the rest at once (see {@link flushTelemetry}). */
const METRIC_EXPORT_INTERVAL_MS = 15_000;

/**
 * Installs the tracer provider once per process, and a meter provider when metrics go somewhere. Spans always get
 * real ids (so logs and events carry a trace id); spans and metrics (shared/telemetry/metrics.ts) are exported
 * over OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set — without it the instruments stay the API's no-ops.
 * The SDK is imported here rather than at the top, so a function can answer its first probe before paying for it
 * (see `serveFunction`). Tests pass their own span processors and metric readers.
 *
 * @example
 * await initTelemetry(config());
 */
export async function initTelemetry(
  cfg: Pick<Config, 'otel'>,
  extra: { spanProcessors?: SpanProcessor[]; metricReaders?: IMetricReader[] } = {},
): Promise<void> {
  if (started) return;
  started = true;
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { BasicTracerProvider, BatchSpanProcessor }] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks').then(commonJs),
      import('@opentelemetry/core').then(commonJs),
      import('@opentelemetry/sdk-trace-base').then(commonJs),
    ]);
  const spanProcessors: SpanProcessor[] = [...(extra.spanProcessors ?? [])];
  const metricReaders: IMetricReader[] = [...(extra.metricReaders ?? [])];
  let resource: Resource | undefined;
  if (cfg.otel) {
    // Loaded only when exporting, so a function that does not export starts without them.
    const [{ OTLPTraceExporter }, { OTLPMetricExporter }, { PeriodicExportingMetricReader }, { defaultResource, resourceFromAttributes }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http').then(commonJs),
      import('@opentelemetry/exporter-metrics-otlp-http').then(commonJs),
      import('@opentelemetry/sdk-metrics').then(commonJs),
      import('@opentelemetry/resources').then(commonJs),
    ]);
    // The collector's Prometheus exporter keys a series by job (service.name) and instance (service.instance.id):
    // without an instance of its own, replicas would overwrite each other's cumulative counts.
    resource = defaultResource().merge(resourceFromAttributes({ 'service.name': cfg.otel.serviceName, 'service.instance.id': randomUUID() }));
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${cfg.otel.endpoint}/v1/traces` })));
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${cfg.otel.endpoint}/v1/metrics` }),
        exportIntervalMillis: METRIC_EXPORT_INTERVAL_MS,
        exportTimeoutMillis: 10_000,
      }),
    );
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracerProvider = new BasicTracerProvider({ spanProcessors, ...(resource ? { resource } : {}) });
  trace.setGlobalTracerProvider(tracerProvider);
  flushable.push(tracerProvider);
  if (metricReaders.length > 0) {
    const { MeterProvider } = commonJs(await import('@opentelemetry/sdk-metrics'));
    const meterProvider = new MeterProvider({ readers: metricReaders, ...(resource ? { resource } : {}) });
    metrics.setGlobalMeterProvider(meterProvider);
    flushable.push(meterProvider);
  }
  // A span per query is only worth its cost when something receives it; ids for logs come from the other spans.
  if (spanProcessors.length > 0) traceSqlQueries();
}

/**
 * Pushes the spans and metrics not yet exported — call it when the process is about to end (a scale-down), after
 * the last request finished. Export failures are logged, never thrown: shutting down goes on.
 *
 * @example
 * await flushTelemetry();
 */
export async function flushTelemetry(): Promise<void> {
  const results = await Promise.allSettled(flushable.map((provider) => provider.forceFlush()));
  for (const result of results) {
    if (result.status === 'rejected') log.warn('telemetry flush failed', { error: String((result.reason as Error)?.message ?? result.reason) });
  }
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
