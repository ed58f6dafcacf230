import { metrics, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';

/**
 * The business metrics functions emit, named for infra/observability/metrics.ts. The collector's Prometheus exporter
 * turns an OpenTelemetry name into a Prometheus one by replacing dots with underscores, appending a standard unit
 * (`s` → `_seconds`), dropping a unit in braces (`{breach}`), and appending `_total` to a counter; a histogram
 * is scraped as `_bucket`, `_sum`, `_count`.
 */
export const INSTRUMENTS = {
  /** → `consilium_case_stage_duration_seconds_bucket` */
  stageDuration: { name: 'consilium.case.stage.duration', unit: 's' },
  /** → `consilium_sla_breaches_total` */
  slaBreaches: { name: 'consilium.sla.breaches', unit: '{breach}' },
  /** → `consilium_ai_spend_minor_total` */
  aiSpend: { name: 'consilium.ai.spend.minor', unit: '{minor_unit}' },
} as const;

/** A case stays in a status from seconds (automatic moves) to weeks (a follow-up window): 10 s … 14 days. */
export const STAGE_DURATION_BUCKETS = [10, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400, 172_800, 259_200, 432_000, 604_800, 1_209_600];

interface Instruments {
  provider: MeterProvider;
  stageDuration: Histogram;
  slaBreaches: Counter;
  aiSpend: Counter;
}

let current: Instruments | undefined;

/**
 * The instruments of the meter provider installed now: the API's no-ops until `initTelemetry` installs one (the
 * API has no proxy for meters, so instruments made before then would stay no-ops forever).
 */
function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (current?.provider === provider) return current;
  const meter = provider.getMeter('consilium');
  const { stageDuration, slaBreaches, aiSpend } = INSTRUMENTS;
  current = {
    provider,
    stageDuration: meter.createHistogram(stageDuration.name, {
      unit: stageDuration.unit,
      description: 'Seconds a case spent in a status, recorded when it leaves it',
      advice: { explicitBucketBoundaries: STAGE_DURATION_BUCKETS },
    }),
    slaBreaches: meter.createCounter(slaBreaches.name, { unit: slaBreaches.unit, description: 'Turnaround promises missed, by the status a case was in when its promise ran out' }),
    aiSpend: meter.createCounter(aiSpend.name, { unit: aiSpend.unit, description: 'AI provider spend in minor units of the currency' }),
  };
  return current;
}

/**
 * Records how long a case stayed in `status` (the `stage` label holds the status, as the dashboards expect).
 *
 * @example
 * recordStageDuration('matching', 5400);
 */
export function recordStageDuration(status: string, seconds: number): void {
  instruments().stageDuration.record(Math.max(0, seconds), { stage: status });
}

/**
 * Counts one missed turnaround promise, labelled with the status the case was in when the promise ran out.
 *
 * @example
 * countSlaBreach('matching');
 */
export function countSlaBreach(status: string): void {
  instruments().slaBreaches.add(1, { stage: status });
}

const fractionDigits = new Map<string, number>();

/**
 * Micro-units (millionths of the currency's major unit, as ai prices and records calls) in minor units: ÷ 10⁴ for
 * cents, ÷ 10⁶ for a currency without minor units (JPY), ÷ 10³ for one with three digits (KWD). The fraction is kept:
 * one call often costs less than a cent, and rounding each call would misstate the sum many times over.
 *
 * @example
 * minorFromMicros(60_000, 'USD'); // 6
 * minorFromMicros(360, 'EUR');    // 0.036
 * minorFromMicros(60_000, 'JPY'); // 0.06
 */
export function minorFromMicros(micros: number, currency: string): number {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    fractionDigits.set(currency, digits);
  }
  return micros / 10 ** (6 - digits);
}

/**
 * Adds what one provider call cost, given in micro-units of `currency`, to the spend counter in minor units.
 *
 * @example
 * addAiSpend({ provider: 'openai', model: 'gpt-4o-mini', currency: 'USD' }, 360);
 */
export function addAiSpend(call: { provider: string; model: string; currency: string }, costMicros: number): void {
  if (!(costMicros > 0)) return;
  instruments().aiSpend.add(minorFromMicros(costMicros, call.currency), { provider: call.provider, model: call.model, currency: call.currency });
}
