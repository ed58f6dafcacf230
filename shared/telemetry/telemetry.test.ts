import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { closeDb, db } from '../db/index.ts';
import { createApp } from '../http/app.ts';
import { initTelemetry, log, withSpan } from './index.ts';

const exporter = new InMemorySpanExporter();

describe('telemetry', () => {
  before(() => initTelemetry({ otel: undefined }, { spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  after(() => closeDb());

  it('traces a request as a server span that continues the caller’s trace', async () => {
    const app = createApp({ name: 'traced', ready: [] });
    app.get('/v1/ping', (c) => c.text('pong'));
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await app.request('/v1/ping', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const span = exporter.getFinishedSpans().find((s) => s.name === 'GET traced');
    assert.ok(span, 'a span for the request');
    assert.equal(span.spanContext().traceId, traceId);
  });

  it('traces SQL as client spans under the caller, with the query text but no parameter values', async () => {
    let traceId = '';
    await withSpan('unit of work', async () => {
      traceId = trace.getActiveSpan()!.spanContext().traceId;
      await db()`select ${'secret-value'}::text as v`;
    });
    const sqlSpan = exporter.getFinishedSpans().find((s) => s.attributes['db.system.name'] === 'postgresql' && s.spanContext().traceId === traceId);
    assert.ok(sqlSpan, 'a span for the query');
    assert.match(String(sqlSpan.attributes['db.query.text']), /select \$1::text/);
    assert.doesNotMatch(JSON.stringify(sqlSpan.attributes), /secret-value/);
  });

  it('stamps the trace id on every log line written inside a span', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    log.setLevel('info');
    let traceId = '';
    try {
      await withSpan('logging', async () => {
        traceId = trace.getActiveSpan()!.spanContext().traceId;
        log.info('something happened', { caseId: 'c-1' });
      });
    } finally {
      process.stdout.write = write;
      log.setLevel('silent');
    }
    const line = JSON.parse(lines.find((l) => l.includes('something happened'))!);
    assert.equal(line.traceId, traceId);
    assert.equal(line.caseId, 'c-1');
  });

  it('installs no meter provider without an OTLP endpoint: the business metrics stay the API’s no-ops', () => {
    assert.ok(!(metrics.getMeterProvider() instanceof MeterProvider));
  });
});
