import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { CloudEvent, EventData, EventDefinition } from '../../events/envelope.ts';
import { afterCommit, beforeCommit, type Tx } from '../db/index.ts';
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
  const data = v.parse(definition.schema, event.data) as EventData<D>;
  const envelope: CloudEvent<EventData<D>> = {
    specversion: '1.0',
    id: event.id ?? randomUUID(),
    source: event.source,
    type: definition.type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    ...withTraceparent(currentTraceparent()),
  };
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

/** Inserts events into the outbox in order (their `seq` follows the order of the rows). */
async function writeOutbox(tx: Tx, events: CloudEvent[]): Promise<void> {
  const rows = events.map((e) => ({
    id: e.id,
    source: e.source,
    type: e.type,
    subject: e.subject ?? null,
    time: e.time,
    data: tx.json(e.data as never),
    traceparent: e.traceparent ?? null,
  }));
  await tx`insert into bus.outbox ${tx(rows, 'id', 'source', 'type', 'subject', 'time', 'data', 'traceparent')}`;
}

function withTraceparent(traceparent: string | undefined): { traceparent?: string } {
  return traceparent ? { traceparent } : {};
}
