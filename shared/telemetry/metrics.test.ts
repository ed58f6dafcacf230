import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { METRICS } from '../../infra/observability/metrics.ts';
import { addAiSpend, countSlaBreach, INSTRUMENTS, minorFromMicros, recordStageDuration } from './metrics.ts';
import { prometheusName, recordedMetrics, type RecordedMetrics } from './testing.ts';

describe('business metrics', () => {
  let recorded: RecordedMetrics;
  before(async () => {
    recorded = await recordedMetrics();
  });

  it('become the Prometheus names of the dashboards’ contract once the collector translates them', () => {
    assert.equal(prometheusName(INSTRUMENTS.stageDuration.name, INSTRUMENTS.stageDuration.unit, 'histogram'), METRICS.stageDurationBucket);
    assert.equal(prometheusName(INSTRUMENTS.slaBreaches.name, INSTRUMENTS.slaBreaches.unit, 'counter'), METRICS.slaBreaches);
    assert.equal(prometheusName(INSTRUMENTS.aiSpend.name, INSTRUMENTS.aiSpend.unit, 'counter'), METRICS.aiSpend);
  });

  it('records durations in hour-to-week buckets, breaches and spend with their labels and units', async () => {
    recordStageDuration('matching', 5400);
    recordStageDuration('matching', 600);
    countSlaBreach('assigned');
    addAiSpend({ provider: 'openai', model: 'gpt-x', currency: 'USD' }, 60_000);
    addAiSpend({ provider: 'openai', model: 'gpt-x', currency: 'USD' }, 360);

    assert.deepEqual(await recorded.histogram(INSTRUMENTS.stageDuration.name, { stage: 'matching' }), { count: 2, sum: 6000 });
    const [duration] = await recorded.points(INSTRUMENTS.stageDuration.name);
    const buckets = (duration!.value as { buckets: { boundaries: number[] } }).buckets.boundaries;
    assert.ok(buckets.includes(3600) && buckets.includes(86_400) && buckets.at(-1)! >= 604_800, `buckets ${buckets}`);
    assert.equal((await recorded.descriptor(INSTRUMENTS.stageDuration.name))?.unit, 's');
    assert.equal(await recorded.sum(INSTRUMENTS.slaBreaches.name, { stage: 'assigned' }), 1);
    const spend = await recorded.sum(INSTRUMENTS.aiSpend.name, { provider: 'openai', model: 'gpt-x', currency: 'USD' });
    assert.ok(Math.abs(spend - 6.036) < 1e-9, `spend ${spend}`);
  });

  it('converts micro-units to minor units by the currency’s decimals, keeping fractions of a minor unit', () => {
    assert.equal(minorFromMicros(60_000, 'USD'), 6);
    assert.equal(minorFromMicros(270, 'EUR'), 0.027);
    assert.equal(minorFromMicros(2_000_000, 'JPY'), 2);
    assert.equal(minorFromMicros(5_000, 'KWD'), 5);
  });
});
