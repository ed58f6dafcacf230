import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { listenLocal } from '../../test/support/listen.ts';
import { serveApp } from '../http/serve.ts';
import { initTelemetry } from './index.ts';
import { countSlaBreach, INSTRUMENTS, recordStageDuration } from './metrics.ts';

interface Posted {
  path: string;
  contentType: string;
  body: any;
}

/** A local server standing in for the collector's OTLP/HTTP receiver (`/v1/metrics`, `/v1/traces`), JSON encoding. */
async function collector() {
  const posted: Posted[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      let bytes = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') bytes = await promisify(gunzip)(bytes);
      posted.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: JSON.parse(bytes.toString('utf8')) });
      // The OTLP/HTTP success answer: an empty Export…ServiceResponse.
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { posted, ...(await listenLocal(server, 0)) };
}

const attribute = (attributes: { key: string; value: Record<string, unknown> }[], key: string) => {
  const value = attributes.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

describe('metrics pushed over OTLP/HTTP', () => {
  let otlp: Awaited<ReturnType<typeof collector>>;
  before(async () => {
    otlp = await collector();
    await initTelemetry({ otel: { endpoint: otlp.url, serviceName: 'cases' } });
  });
  after(() => otlp.close());

  it('the counts of a function that shuts down reach the collector before it exits, labelled with its service and instance', async () => {
    const { port, shutdown } = await serveApp(
      () => {
        recordStageDuration('matching', 90);
        countSlaBreach('matching');
        countSlaBreach('matching');
        return new Response(null, { status: 204 });
      },
      { port: 0, hostname: '127.0.0.1', name: 'cases' },
    );
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 204);
    assert.equal(otlp.posted.filter((p) => p.path === '/v1/metrics').length, 0, 'nothing pushed before the export interval');
    // What a scale-down does on SIGTERM: drain, then flush; the export interval (15 s) has not come round.
    await shutdown();

    const pushes = otlp.posted.filter((p) => p.path === '/v1/metrics');
    assert.equal(pushes.length, 1);
    assert.match(pushes[0]!.contentType, /^application\/json/);
    const [resourceMetrics] = pushes[0]!.body.resourceMetrics;
    assert.equal(attribute(resourceMetrics.resource.attributes, 'service.name'), 'cases');
    assert.match(String(attribute(resourceMetrics.resource.attributes, 'service.instance.id')), /^[0-9a-f-]{36}$/);
    const sent = resourceMetrics.scopeMetrics.flatMap((s: { metrics: unknown[] }) => s.metrics) as any[];
    const breaches = sent.find((m) => m.name === INSTRUMENTS.slaBreaches.name);
    assert.equal(breaches.unit, '{breach}');
    assert.equal(breaches.sum.isMonotonic, true);
    assert.equal(breaches.sum.aggregationTemporality, 2, 'cumulative, as the Prometheus exporter expects');
    const [point] = breaches.sum.dataPoints;
    assert.equal(attribute(point.attributes, 'stage'), 'matching');
    assert.equal(Number(point.asDouble ?? point.asInt), 2);
    const duration = sent.find((m) => m.name === INSTRUMENTS.stageDuration.name);
    assert.equal(duration.unit, 's');
    assert.equal(Number(duration.histogram.dataPoints[0].count), 1);
    assert.equal(duration.histogram.dataPoints[0].sum, 90);
  });
});
