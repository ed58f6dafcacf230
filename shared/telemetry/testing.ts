import type { Attributes } from '@opentelemetry/api';
import { MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { initTelemetry } from './index.ts';

/** A reader tests collect from on demand, through the real SDK aggregation (cumulative, as exported). */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const matches = (point: DataPoint<unknown>, attributes: Attributes) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value);

/**
 * Installs telemetry in this test process with a reader of its own (no endpoint: nothing leaves the process) and
 * reads what the instruments of shared/telemetry/metrics.ts recorded. Each test file runs in its own process.
 *
 * @example
 * const recorded = await recordedMetrics();
 * await recorded.sum('consilium.sla.breaches', { stage: 'matching' }); // 1
 */
export async function recordedMetrics() {
  const reader = new CollectingReader();
  await initTelemetry({ otel: undefined }, { metricReaders: [reader] });
  const metric = async (name: string): Promise<MetricData | undefined> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  };
  return {
    /** The metric's descriptor (name, unit, type), if anything was recorded. */
    descriptor: async (name: string) => (await metric(name))?.descriptor,
    /** A counter's total over the points with these attributes. */
    async sum(name: string, attributes: Attributes = {}): Promise<number> {
      const points = ((await metric(name))?.dataPoints ?? []) as DataPoint<number>[];
      return points.filter((p) => matches(p, attributes)).reduce((total, p) => total + p.value, 0);
    },
    /** A histogram's count and sum over the points with these attributes. */
    async histogram(name: string, attributes: Attributes = {}): Promise<{ count: number; sum: number }> {
      const points = ((await metric(name))?.dataPoints ?? []) as DataPoint<Histogram>[];
      return points.filter((p) => matches(p, attributes)).reduce((t, p) => ({ count: t.count + p.value.count, sum: t.sum + (p.value.sum ?? 0) }), { count: 0, sum: 0 });
    },
    /** Every point of a metric, as `stage` (or another attribute) → count / value, for asserting what else was recorded. */
    async points(name: string): Promise<DataPoint<unknown>[]> {
      return [...((await metric(name))?.dataPoints ?? [])];
    },
  };
}

export type RecordedMetrics = Awaited<ReturnType<typeof recordedMetrics>>;

/**
 * The collector's OpenTelemetry → Prometheus name translation, as its prometheus translator documents it
 * (pkg/translator/prometheus, "Prometheus Normalization"), for the units and types used here.
 *
 * @example
 * prometheusName('consilium.sla.breaches', '{breach}', 'counter'); // 'consilium_sla_breaches_total'
 */
export function prometheusName(name: string, unit: string, type: 'counter' | 'histogram' | 'gauge'): string {
  const units: Record<string, string> = { s: 'seconds', ms: 'milliseconds', By: 'bytes' };
  const suffix = unit.startsWith('{') ? '' : (units[unit] ?? unit.replace(/[^A-Za-z0-9]/g, ''));
  let base = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (suffix && !base.endsWith(`_${suffix}`)) base += `_${suffix}`;
  return type === 'counter' ? `${base}_total` : type === 'histogram' ? `${base}_bucket` : base;
}
