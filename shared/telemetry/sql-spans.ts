import dc from 'node:diagnostics_channel';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

interface QueryContext {
  database?: string;
  query?: string;
  command?: string;
  count?: number;
  error?: Error & { code?: string };
}

/**
 * Turns the queries postgres.js announces on its `postgres:query` diagnostics channel into client spans (the
 * OpenTelemetry semantic conventions for PostgreSQL), children of whatever span made the query. Only the query
 * text with its `$n` placeholders is recorded, never parameter values, which may be health data.
 */
export function traceSqlQueries(): void {
  const tracer = trace.getTracer('consilium.sql');
  const spans = new WeakMap<object, Span>();
  dc.tracingChannel<string, QueryContext>('postgres:query').subscribe({
    start(context) {
      spans.set(
        context,
        tracer.startSpan(`postgresql ${context.database ?? ''}`.trim(), {
          kind: SpanKind.CLIENT,
          attributes: { 'db.system.name': 'postgresql', 'db.namespace': context.database ?? '', 'db.query.text': context.query ?? '' },
        }),
      );
    },
    error(context) {
      const span = spans.get(context);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: context.error?.code ?? context.error?.name ?? 'error' });
      span?.setAttribute('error.type', context.error?.code ?? context.error?.name ?? 'error');
    },
    asyncEnd(context) {
      const span = spans.get(context);
      if (!span) return;
      if (context.command) {
        span.updateName(`${context.command} ${context.database ?? ''}`.trim());
        span.setAttribute('db.operation.name', context.command);
      }
      if (context.count !== undefined) span.setAttribute('db.response.returned_rows', context.count);
      span.end();
    },
    end() {},
    asyncStart() {},
  });
}
