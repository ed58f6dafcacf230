import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { CloudEvent, EventData, EventDefinition } from '../../events/envelope.ts';
import { afterCommit, beforeCommit, type Sql, type Tx } from '../db/index.ts';
import { currentTraceparent } from '../telemetry/index.ts';
import { wakeRelay } from './signal.ts';

/**
 * Writes an event to the outbox inside the caller's transaction: it is published if and only if the transaction
 * commits. The data is validated against its definition first, so a malformed event never enters the outbox.
 * Within {@link transaction} the rows are written together just before COMMIT; in any other transaction at once.
 *
 * @example
 * await transaction(async (tx) => {
 *   await tx`update cases.cases set status = 'triage' where id = ${caseId}`;
 *   await emit(tx, CaseTriagedV1, { source: 'cases', subject: caseId, data: { caseId } });
 * });
 */
export async function emit<D extends EventDefinition>(
  tx: Tx,
  definition: D,
  event: { source: string; data: EventData<D>; subject?: string; id?: string },
): Promise<CloudEvent<EventData<D>>> {
  const envelope = outboxEnvelope(definition, event);
  const pending = pendingByTx.get(tx);
  if (pending) {
    pending.push(envelope);
    return envelope;
  }
  const batch = [envelope];
  // Inside transaction() the rows are written together just before COMMIT: one statement, not one per event.
  if (beforeCommit(tx, () => writeOutbox(tx, batch))) {
    pendingByTx.set(tx, batch);
    afterCommit(tx, wakeRelay);
  } else {
    await writeOutbox(tx, batch);
  }
  return envelope;
}

const pendingByTx = new WeakMap<Tx, CloudEvent[]>();

/**
 * The validated envelope of a new event, stamped with the current trace — also what a database function of a hot
 * path is given to append with `bus.append(event)` (migrations/0002_append.sql) in the same call as its change.
 *
 * @example
 * const event = outboxEnvelope(DocumentUploadedV1, { source: 'cases', subject: caseId, data });
 * await sql`select cases.complete_upload(…, ${sql.json(event)})`;
 */
export function outboxEnvelope<D extends EventDefinition>(definition: D, event: { source: string; data: EventData<D>; subject?: string; id?: string }): CloudEvent<EventData<D>> {
  return {
    specversion: '1.0',
    id: event.id ?? randomUUID(),
    source: event.source,
    type: definition.type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: v.parse(definition.schema, event.data) as EventData<D>,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    ...withTraceparent(currentTraceparent()),
  };
}

/** An event as the row `bus.outbox` stores, in the column order of {@link OUTBOX_COLUMNS}. */
function rowOf(sql: Sql | Tx, e: CloudEvent) {
  return { id: e.id, source: e.source, type: e.type, subject: e.subject ?? null, time: e.time, data: sql.json(e.data as never), traceparent: e.traceparent ?? null };
}

const OUTBOX_COLUMNS = ['id', 'source', 'type', 'subject', 'time', 'data', 'traceparent'] as const;

/** Inserts events into the outbox in order (their `seq` follows the order of the rows). */
async function writeOutbox(tx: Tx, events: CloudEvent[]): Promise<void> {
  await tx`insert into bus.outbox ${tx(events.map((e) => rowOf(tx, e)), ...OUTBOX_COLUMNS)}`;
}

/**
 * The insert of one event into the outbox, as a fragment for a caller that makes its change and the event in ONE
 * statement (data-modifying CTEs): atomic without BEGIN and COMMIT, which saves a hot path (login) the round trips
 * of a transaction. Validated like {@link emit}; call `wakeRelay()` once the statement has run.
 *
 * @example
 * const event = outboxInsert(sql, LoginSucceededV1, { source: 'identity', subject: userId, data });
 * await sql`with s as (insert into identity.sessions ${sql(row)}), o as (${event}) select 1`;
 * wakeRelay();
 */
export function outboxInsert<D extends EventDefinition>(sql: Sql, definition: D, event: { source: string; data: EventData<D>; subject?: string; id?: string }) {
  const e = outboxEnvelope(definition, event);
  // Spelled out rather than built with sql(row, …columns): this runs at every login.
  return sql`
    insert into bus.outbox (id, source, type, subject, time, data, traceparent)
    values (${e.id}, ${e.source}, ${e.type}, ${e.subject ?? null}, ${e.time}, ${sql.json(e.data as never)}, ${e.traceparent ?? null})`;
}

function withTraceparent(traceparent: string | undefined): { traceparent?: string } {
  return traceparent ? { traceparent } : {};
}

/** The fragment {@link outboxInsert} makes, for signatures that take one. */
export type OutboxInsert = ReturnType<typeof outboxInsert>;
