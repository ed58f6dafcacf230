import type { CloudEvent } from '../../events/envelope.ts';
import type { Sql, Tx } from '../db/index.ts';

/** Where the relay hands events: JetStream, or the in-process delivery queue. */
export interface Publisher {
  /** Publishes in order; runs inside the relay's transaction, which marks the rows only after this resolves. */
  publish(tx: Tx, events: CloudEvent[]): Promise<void>;
}

interface OutboxRow {
  seq: string;
  id: string;
  source: string;
  type: string;
  subject: string | null;
  time: Date;
  data: unknown;
  traceparent: string | null;
}

/**
 * Publishes one batch of unpublished outbox rows, oldest first, and marks them published in the same transaction.
 * Rows are claimed with `SKIP LOCKED`, so two relays never publish the same batch at once. If the process dies
 * after publishing but before commit the rows stay unpublished and go out again under the same event id, which
 * JetStream (`Nats-Msg-Id`) and idempotent consumers both drop.
 *
 * @returns how many events were published (0 when the outbox is empty)
 * @example
 * while ((await relayOnce(db(), publisher)) > 0);
 */
export async function relayOnce(
  sql: Sql,
  publisher: Publisher,
  options: { sources?: readonly string[]; batch?: number } = {},
): Promise<number> {
  const batch = options.batch ?? 100;
  const sources = options.sources ? [...options.sources] : null;
  return (await sql.begin(async (tx) => {
    const rows = await tx<OutboxRow[]>`
      select seq, id, source, type, subject, time, data, traceparent
      from bus.outbox
      where published_at is null ${sources ? tx`and source = any(${sources})` : tx``}
      order by seq
      limit ${batch}
      for update skip locked`;
    if (rows.length === 0) return 0;
    await publisher.publish(tx, rows.map(toEnvelope));
    await tx`update bus.outbox set published_at = now() where seq = any(${rows.map((r) => r.seq)})`;
    return rows.length;
  })) as number;
}

function toEnvelope(row: OutboxRow): CloudEvent {
  return {
    specversion: '1.0',
    id: row.id,
    source: row.source,
    type: row.type,
    time: row.time.toISOString(),
    datacontenttype: 'application/json',
    data: row.data,
    ...(row.subject === null ? {} : { subject: row.subject }),
    ...(row.traceparent === null ? {} : { traceparent: row.traceparent }),
  };
}

/**
 * Deletes what no longer needs keeping: published outbox rows (JetStream and the delivery queue have them) and
 * processed-event records older than any redelivery can be.
 */
export async function pruneBus(sql: Sql, retention: { outboxHours?: number; processedDays?: number } = {}): Promise<void> {
  const outboxHours = retention.outboxHours ?? 24;
  const processedDays = retention.processedDays ?? 30;
  await sql`delete from bus.outbox where published_at < now() - make_interval(hours => ${outboxHours})`;
  await sql`delete from bus.processed where processed_at < now() - make_interval(days => ${processedDays})`;
}
