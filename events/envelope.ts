import * as v from 'valibot';

/**
 * Event types read `[domain.]entity.past-verb.vN` (`case.submitted.v1`, `platform.event.dead-lettered.v1`); the type
 * is also the NATS subject under the platform's prefix.
 */
export const EVENT_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){1,2}\.v[1-9][0-9]*$/;

/** A CloudEvents 1.0 event with a JSON payload and W3C trace context (the distributed-tracing extension). */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  traceparent?: string;
  data: T;
}

/** A versioned event type and the schema of its `data`. */
export interface EventDefinition<TType extends string = string, TSchema extends v.GenericSchema = v.GenericSchema> {
  type: TType;
  schema: TSchema;
  description: string;
}

export type EventData<D extends EventDefinition> = v.InferOutput<D['schema']>;

/**
 * Declares an event type of the catalogue.
 *
 * @example
 * export const CaseSubmittedV1 = defineEvent('case.submitted.v1', 'A patient submitted a case.', v.object({ caseId: v.string() }));
 */
export function defineEvent<TType extends string, TSchema extends v.GenericSchema>(
  type: TType,
  description: string,
  schema: TSchema,
): EventDefinition<TType, TSchema> {
  if (!EVENT_TYPE.test(type)) throw new Error(`event type ${type} must read [domain.]entity.past-verb.vN`);
  return { type, description, schema };
}

/** Whether a module export is an event definition (modules of the catalogue also export shared vocabularies). */
export function isEventDefinition(value: unknown): value is EventDefinition {
  return typeof value === 'object' && value !== null && 'type' in value && 'schema' in value && 'description' in value;
}

const Envelope = v.object({
  specversion: v.literal('1.0'),
  id: v.pipe(v.string(), v.minLength(1)),
  source: v.pipe(v.string(), v.minLength(1)),
  type: v.pipe(v.string(), v.regex(EVENT_TYPE)),
  time: v.pipe(v.string(), v.isoTimestamp()),
  subject: v.optional(v.string()),
  datacontenttype: v.literal('application/json'),
  traceparent: v.optional(v.string()),
  data: v.unknown(),
});

/**
 * Encodes an event for HTTP in binary content mode (`ce-*` headers, the data as the body), the way Knative
 * Eventing delivers it.
 */
export function toBinaryHttp(event: CloudEvent): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {
    'ce-specversion': event.specversion,
    'ce-id': event.id,
    'ce-source': event.source,
    'ce-type': event.type,
    'ce-time': event.time,
    'content-type': event.datacontenttype,
  };
  if (event.subject !== undefined) headers['ce-subject'] = event.subject;
  if (event.traceparent !== undefined) headers.traceparent = event.traceparent;
  return { headers, body: JSON.stringify(event.data) };
}

/** Decodes a binary-mode HTTP CloudEvent; returns the validation issues instead when it is not one. */
export function fromBinaryHttp(
  header: (name: string) => string | undefined,
  body: string,
): { event: CloudEvent } | { issues: { pointer: string; message: string }[] } {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return { issues: [{ pointer: '', message: 'the body is not JSON' }] };
  }
  const candidate = {
    specversion: header('ce-specversion'),
    id: header('ce-id'),
    source: header('ce-source'),
    type: header('ce-type'),
    time: header('ce-time'),
    subject: header('ce-subject'),
    datacontenttype: (header('content-type') ?? '').split(';')[0]!.trim(),
    traceparent: header('traceparent'),
    data,
  };
  const parsed = v.safeParse(Envelope, candidate);
  if (parsed.success) return { event: parsed.output as CloudEvent };
  return {
    issues: parsed.issues.map((i) => ({ pointer: `/headers/${v.getDotPath(i) ?? ''}`, message: i.message })),
  };
}
