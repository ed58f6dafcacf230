import assert from 'node:assert/strict';
import type { EventData, EventDefinition } from '../../events/envelope.ts';
import { db } from '../../shared/db/index.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { deliverEvent, tickJob, type DeliveryOptions } from '../../test/support/platform-calls.ts';

/** Helpers for the ai tests: deliver events as the platform does, read what ai emitted. */

/**
 * Delivers one event to `fn` through its real `/_events` endpoint; the same `id` twice is a redelivery.
 *
 * @example
 * await deliver(ai, PaymentCapturedV1, { paymentId, caseId, ownerId, gateway: 'sandbox', amount });
 */
export async function deliver<D extends EventDefinition>(fn: ConsiliumFunction, definition: D, data: EventData<D>, options: DeliveryOptions = {}): Promise<'processed' | 'duplicate'> {
  const res = await deliverEvent(fn, definition, data, options);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { status: 'processed' | 'duplicate' }).status;
}

/** Ticks one of `fn`'s cron jobs through `/_cron/:job`. */
export async function tick(fn: ConsiliumFunction, job: string): Promise<void> {
  const res = await tickJob(fn, job);
  assert.equal(res.status, 200, await res.text());
}

/** The events ai wrote to the outbox about `subject`, oldest first. */
export async function aiEvents(subject: string): Promise<{ type: string; data: Record<string, any> }[]> {
  const rows = await db()<{ type: string; data: Record<string, any> }[]>`
    select type, data from bus.outbox where source = 'ai' and subject = ${subject} order by seq`;
  return [...rows];
}

/** A note with identifiers planted in it, and those identifiers. */
export const IDENTIFIED_NOTE = {
  text: [
    'Patient: Harold Finch   DOB: 12/05/1961   MRN: 99887766',
    'Address: 42 Wall Street, New York, NY 10005. Phone 212 555 0187. harold.finch@example.org',
    'Presenting complaint: central chest pain for 2 hours. Mr Finch has type 2 diabetes and hypertension.',
    'Medications: metformin 1 g, ramipril 5 mg.',
    'Labs: Troponin I 0.12 ng/mL (ref < 0.04).',
    'Assessment: Acute coronary syndrome. Denies syncope.',
  ].join('\n'),
  identifiers: ['Harold', 'Finch', '12/05/1961', '99887766', '42 Wall Street', '212 555 0187', 'harold.finch@example.org', '10005'],
};
