/**
 * The metric names the dashboards and alerts read — the contract between the code that emits them and this
 * program. RED metrics come from the OpenTelemetry collector's span-metrics connector (every function already
 * exports server spans with `service.name` = the function); the bus metrics from the bus worker's `/metrics`; the
 * case and AI metrics from the functions that own those facts.
 */
export const METRICS = {
  /** Counter of server spans by `service_name`, `status_code` (span-metrics connector). */
  calls: 'traces_span_metrics_calls_total',
  /** Histogram of server span durations in milliseconds by `service_name`. */
  durationBucket: 'traces_span_metrics_duration_milliseconds_bucket',
  /** Gauge: unresolved rows of bus.dead_letters by `consumer` (bus worker). */
  deadLetters: 'consilium_bus_dead_letters',
  /** Gauge: outbox rows not yet relayed (bus worker). */
  outboxPending: 'consilium_bus_outbox_pending',
  /** Histogram of seconds a case spent in a status, by `stage` (cases). */
  stageDurationBucket: 'consilium_case_stage_duration_seconds_bucket',
  /** Counter of turnaround promises missed, by `stage` (cases). */
  slaBreaches: 'consilium_sla_breaches_total',
  /** Counter of AI provider spend in minor units, by `provider`, `model`, `currency` (ai). */
  aiSpend: 'consilium_ai_spend_minor_total',
  /** Gauge: documents waiting for an extraction thread, per replica (documents). */
  extractionQueued: 'consilium_documents_extraction_queued',
  /** Counter of deliveries a full extraction queue refused for the bus to retry, by `reason` (documents). */
  extractionRefused: 'consilium_documents_extraction_refused_total',
} as const;

/** The label the span-metrics connector puts the function's name in. */
export const SERVICE_LABEL = 'service_name';

/**
 * PromQL for one function's RED: request rate, error ratio, p95 latency.
 *
 * @example
 * red('cases').errors; // 'sum(rate(traces_span_metrics_calls_total{service_name="cases",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"}[5m])) / …'
 */
export function red(fn: string) {
  const server = `${SERVICE_LABEL}="${fn}",span_kind="SPAN_KIND_SERVER"`;
  const total = `sum(rate(${METRICS.calls}{${server}}[5m]))`;
  return {
    rate: total,
    errors: `sum(rate(${METRICS.calls}{${server},status_code="STATUS_CODE_ERROR"}[5m])) / clamp_min(${total}, 1e-9)`,
    p95Ms: `histogram_quantile(0.95, sum by (le) (rate(${METRICS.durationBucket}{${server}}[5m])))`,
  };
}
