import type { CloudEvent } from '../../events/envelope.ts';
import { EventDeadLetteredV1 } from '../../events/platform.ts';
import type { Sql, Tx } from '../db/index.ts';
import { log } from '../telemetry/index.ts';
import { emit } from './emit.ts';

/**
 * What happened when an event was handed to a consumer. `retryAfterMs`: the consumer is busy, not failing (it answered
 * 429 or 503 with Retry-After): the delivery waits that long and the attempt does not count towards the last one.
 */
export type Outcome = { ok: true } | { ok: false; permanent: boolean; error: string; retryAfterMs?: number };

/** Hands one event to one consumer (a function's `/_events` endpoint, in process or over HTTP). */
export type Deliver = (consumer: string, event: CloudEvent) => Promise<Outcome>;

/** How often and how patiently deliveries are retried. */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
}

/** Exponential backoff: `backoffMs`, then twice that, and so on, capped at an hour. */
export function retryDelayMs(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.backoffMs * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/**
 * The longest a busy consumer may ask a delivery to wait (Retry-After), each time; and the shortest, so that one
 * answering "Retry-After: 0" over and over is not asked again in a tight loop (a busy answer costs no attempt).
 */
export const MAX_RETRY_AFTER_MS = 30_000;
export const MIN_RETRY_AFTER_MS = 250;

/**
 * Reads a consumer's HTTP answer the way Knative Eventing does: 2xx done; 408, 409, 429 and 5xx worth retrying. A
 * 429 or 503 with Retry-After (seconds or an HTTP date) says the consumer is saturated: wait, and do not count it.
 */
export function outcomeOf(status: number, body: string, retryAfter?: string | null): Outcome {
  if (status >= 200 && status < 300) return { ok: true };
  const retryable = status >= 500 || status === 408 || status === 409 || status === 429;
  const error = `HTTP ${status}: ${body.slice(0, 500)}`;
  const busyFor = status === 429 || status === 503 ? retryAfterMs(retryAfter) : undefined;
  return { ok: false, permanent: !retryable, error, ...(busyFor === undefined ? {} : { retryAfterMs: busyFor }) };
}

function retryAfterMs(header: string | null | undefined): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  // delta-seconds, or an HTTP date (IMF-fixdate, which ends in GMT): anything else is not a Retry-After.
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : / GMT$/.test(value) ? Date.parse(value) - Date.now() : Number.NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, MIN_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Parks a delivery that will not succeed, and announces it (except for the announcement itself, which would loop).
 * Runs in the caller's transaction, so parking and removing the delivery happen together.
 */
export async function parkDeadLetter(
  tx: Tx,
  delivery: { consumer: string; event: CloudEvent; attempts: number; error: string },
): Promise<void> {
  const { consumer, event, attempts, error } = delivery;
  const [row] = await tx<{ id: string }[]>`
    insert into bus.dead_letters (consumer, event_id, type, envelope, attempts, last_error)
    values (${consumer}, ${event.id}, ${event.type}, ${tx.json(event as never)}, ${attempts}, ${error})
    returning id`;
  log.warn('event dead-lettered', { consumer, type: event.type, eventId: event.id, attempts });
  if (event.type === EventDeadLetteredV1.type) return;
  await emit(tx, EventDeadLetteredV1, {
    source: 'platform',
    subject: event.id,
    data: { deadLetterId: Number(row!.id), eventId: event.id, eventType: event.type, consumer, attempts },
  });
}

interface DeliveryRow {
  id: string;
  consumer: string;
  envelope: CloudEvent;
  attempts: number;
}

/**
 * Delivers the due rows of the in-process delivery queue once. Rows are leased (not locked) while their consumer
 * runs, because the consumer needs the database itself; a lease that runs out (the process died) makes the row
 * due again. Failures are rescheduled with backoff and parked after the last attempt, without holding up others; a
 * busy consumer's refusal is rescheduled after its Retry-After and not counted.
 *
 * @returns how many deliveries were attempted
 */
export async function dispatchDue(
  sql: Sql,
  deliver: Deliver,
  policy: RetryPolicy,
  options: { consumers?: readonly string[]; sources?: readonly string[]; batch?: number; leaseSeconds?: number } = {},
): Promise<number> {
  const consumers = options.consumers ? [...options.consumers] : null;
  const sources = options.sources ? [...options.sources] : null;
  const rows = await sql<DeliveryRow[]>`
    update bus.deliveries
    set leased_until = now() + make_interval(secs => ${options.leaseSeconds ?? 60}), attempts = attempts + 1
    where id in (
      select id from bus.deliveries
      where next_attempt_at <= now() and (leased_until is null or leased_until < now())
        ${consumers ? sql`and consumer = any(${consumers})` : sql``}
        ${sources ? sql`and envelope->>'source' = any(${sources})` : sql``}
      order by next_attempt_at, id
      limit ${options.batch ?? 20}
      for update skip locked)
    returning id, consumer, envelope, attempts`;
  await Promise.all(
    rows.map(async (row) => {
      const outcome = await deliver(row.consumer, row.envelope).catch(
        (error: unknown): Outcome => ({ ok: false, permanent: false, error: String(error) }),
      );
      if (outcome.ok) {
        await sql`delete from bus.deliveries where id = ${row.id}`;
      } else if (outcome.retryAfterMs !== undefined) {
        // Busy: the attempt taken with the lease is given back.
        await sql`
          update bus.deliveries
          set next_attempt_at = now() + make_interval(secs => ${outcome.retryAfterMs / 1000}), leased_until = null,
              attempts = attempts - 1, last_error = ${outcome.error}
          where id = ${row.id}`;
      } else if (outcome.permanent || row.attempts >= policy.maxAttempts) {
        await sql.begin(async (tx) => {
          await tx`delete from bus.deliveries where id = ${row.id}`;
          await parkDeadLetter(tx, { consumer: row.consumer, event: row.envelope, attempts: row.attempts, error: outcome.error });
        });
      } else {
        const delay = retryDelayMs(row.attempts, policy);
        await sql`
          update bus.deliveries
          set next_attempt_at = now() + make_interval(secs => ${delay / 1000}), leased_until = null,
              last_error = ${outcome.error}
          where id = ${row.id}`;
      }
    }),
  );
  return rows.length;
}

/**
 * The publisher used without NATS: each event becomes one queued delivery per subscribed consumer, in the relay's
 * transaction, so publishing and marking the outbox row are one atomic step.
 */
export function queuePublisher(consumersOf: (type: string) => readonly string[]) {
  return {
    async publish(tx: Tx, events: CloudEvent[]): Promise<void> {
      for (const event of events) {
        for (const consumer of consumersOf(event.type)) {
          await tx`
            insert into bus.deliveries (consumer, event_id, envelope)
            values (${consumer}, ${event.id}, ${tx.json(event as never)})
            on conflict (consumer, event_id) do nothing`;
        }
      }
    },
  };
}
