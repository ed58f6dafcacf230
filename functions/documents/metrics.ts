import { metrics, type Counter, type MeterProvider } from '@opentelemetry/api';
import type { RefusalReason } from './admission.ts';

/**
 * How saturated this replica's extraction is, for ops: made as shared/telemetry/metrics.ts makes the business
 * instruments (meter `consilium`, exported with them), named so the collector scrapes them as
 * `consilium_documents_extraction_queued`, `consilium_documents_extraction_queued_bytes` and
 * `consilium_documents_extraction_refused_total`.
 */
export const EXTRACTION_INSTRUMENTS = {
  /** Gauge: documents admitted and not yet taken by an extraction thread. */
  queued: { name: 'consilium.documents.extraction.queued', unit: '{document}' },
  /** Gauge: their announced bytes. */
  queuedBytes: { name: 'consilium.documents.extraction.queued.bytes', unit: 'By' },
  /** Counter: deliveries refused for the bus to retry later, by `reason` (documents, bytes, in-progress). */
  refused: { name: 'consilium.documents.extraction.refused', unit: '{delivery}' },
} as const;

/** What the gauges read: the waiting documents and bytes of this process's pools, summed. */
export type QueueReading = () => { queued: number; queuedBytes: number };

let reading: QueueReading = () => ({ queued: 0, queuedBytes: 0 });
let current: { provider: MeterProvider; refused: Counter } | undefined;

/**
 * Made again for each meter provider installed (the API has no proxy for meters: instruments made before
 * `initTelemetry` would stay no-ops); the gauges read whatever {@link observeExtractionQueue} last gave.
 */
function instruments() {
  const provider = metrics.getMeterProvider();
  if (current?.provider === provider) return current;
  const meter = provider.getMeter('consilium');
  const { queued, queuedBytes, refused } = EXTRACTION_INSTRUMENTS;
  meter
    .createObservableGauge(queued.name, { unit: queued.unit, description: 'Documents waiting for an extraction thread in this replica' })
    .addCallback((result) => result.observe(reading().queued));
  meter
    .createObservableGauge(queuedBytes.name, { unit: queuedBytes.unit, description: 'Announced bytes of the documents waiting for an extraction thread' })
    .addCallback((result) => result.observe(reading().queuedBytes));
  current = {
    provider,
    refused: meter.createCounter(refused.name, { unit: refused.unit, description: 'Deliveries refused because the extraction queue was full; the bus retries them' }),
  };
  return current;
}

/**
 * Points the queue gauges at `read`, and makes sure they exist on the meter provider installed now (call it where
 * documents arrive: the first one comes after `initTelemetry`).
 *
 * @example
 * observeExtractionQueue(() => ({ queued: 2, queuedBytes: 1_048_576 }));
 */
export function observeExtractionQueue(read: QueueReading): void {
  reading = read;
  instruments();
}

/**
 * Counts one delivery refused for the bus to retry later.
 *
 * @example
 * countExtractionRefusal('bytes');
 */
export function countExtractionRefusal(reason: RefusalReason): void {
  instruments().refused.add(1, { reason });
}
