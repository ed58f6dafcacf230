import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { CloudEvent, EventData, EventDefinition } from '../../events/envelope.ts';
import { afterCommit, type Tx } from '../db/index.ts';
import { currentTraceparent } from '../telemetry/index.ts';
import { wakeRelay } from './signal.ts';

/**
 * Writes an event to the outbox inside the caller's transaction: it is published if and only if the transaction
 * commits. The data is validated against its definition first, so a malformed event never enters the outbox.
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
  await tx`
    insert into bus.outbox (id, source, type, subject, time, data, traceparent)
    values (${envelope.id}, ${envelope.source}, ${envelope.type}, ${envelope.subject ?? null}, ${envelope.time},
            ${tx.json(data as never)}, ${envelope.traceparent ?? null})`;
  afterCommit(tx, wakeRelay);
  return envelope;
}

function withTraceparent(traceparent: string | undefined): { traceparent?: string } {
  return traceparent ? { traceparent } : {};
}
