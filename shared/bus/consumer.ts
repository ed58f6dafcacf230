import { Hono } from 'hono';
import * as v from 'valibot';
import { fromBinaryHttp, type CloudEvent, type EventData, type EventDefinition } from '../../events/envelope.ts';
import { requirePlatformCaller } from '../auth/platform.ts';
import { db, transaction, type Sql, type Tx } from '../db/index.ts';
import { HttpProblem, problems } from '../http/problem.ts';
import { toFieldErrors } from '../http/validate.ts';
import { contextFromTraceparent, SpanKind, withSpan } from '../telemetry/index.ts';

/** Applies one event; runs inside the transaction that also records the event as processed. */
export type EventHandler<D extends EventDefinition, P = undefined> = (tx: Tx, event: CloudEvent<EventData<D>>, prepared: P) => Promise<void>;

/**
 * Slow work for an event (reading a file, OCR, a provider call) done before its transaction, so no database
 * connection is held meanwhile. It may run again on a redelivery, so it must only compute, never change anything.
 */
export type EventPreparation<D extends EventDefinition, P> = (event: CloudEvent<EventData<D>>) => Promise<P>;

/** One event type a function consumes, and what it does with it. */
export interface Subscription {
  definition: EventDefinition;
  handle: EventHandler<EventDefinition, unknown>;
  prepare?: EventPreparation<EventDefinition, unknown>;
}

/**
 * Subscribes a handler to an event type; `prepare`, when given, computes outside the transaction and hands its
 * result to the handler.
 *
 * @example
 * on(CaseTriagedV1, async (tx, event) => { await openOffers(tx, event.data.caseId); })
 * on(DocumentUploadedV1, (tx, event, text) => storeText(tx, event.data, text), { prepare: (event) => extractText(event.data) })
 */
export function on<D extends EventDefinition, P = undefined>(
  definition: D,
  handle: EventHandler<D, P>,
  options: { prepare?: EventPreparation<D, P> } = {},
): Subscription {
  return {
    definition,
    handle: handle as EventHandler<EventDefinition, unknown>,
    ...(options.prepare ? { prepare: options.prepare as EventPreparation<EventDefinition, unknown> } : {}),
  };
}

/**
 * The internal endpoint `POST /_events` through which a function receives events as binary-mode CloudEvents
 * (from Knative Eventing in production, from the local runtime otherwise). Only the platform may call it.
 *
 * Each event is applied at most once per consumer: its id is recorded in `bus.processed` in the same transaction
 * as the handler's effect, so a redelivery answers 200 and changes nothing. Malformed events answer 4xx (not
 * worth retrying); a failing handler answers 500 (retried, then dead-lettered).
 */
export function eventRoutes(
  consumer: string,
  subscriptions: readonly Subscription[],
  deps: { secret: () => string; sql?: () => Sql },
): Hono {
  const byType = new Map(subscriptions.map((s) => [s.definition.type, s]));
  const app = new Hono();
  app.use('/_events', requirePlatformCaller(deps.secret, consumer));
  app.post('/_events', async (c) => {
    const decoded = fromBinaryHttp((name) => c.req.header(name), await c.req.text());
    if ('issues' in decoded) throw problems.validation(decoded.issues, 'Not a binary-mode CloudEvent.');
    const { event } = decoded;
    const subscription = byType.get(event.type);
    if (!subscription) throw new HttpProblem(422, 'unsubscribed-event', { detail: `${consumer} does not consume ${event.type}.` });
    const data = v.safeParse(subscription.definition.schema, event.data);
    if (!data.success) throw problems.validation(toFieldErrors(data.issues).map(atData), `Invalid ${event.type} data.`);
    const typed = { ...event, data: data.output };
    const sql = deps.sql?.() ?? db();
    const applied = await withSpan(
      `event ${event.type}`,
      async () => {
        let prepared: unknown;
        if (subscription.prepare) {
          // A redelivery of an applied event skips the slow part; the insert below still decides for certain.
          const [done] = await sql`select 1 from bus.processed where consumer = ${consumer} and event_id = ${event.id}`;
          if (done) return false;
          prepared = await subscription.prepare(typed);
        }
        return transaction(async (tx) => {
          const [fresh] = await tx`
            insert into bus.processed (consumer, event_id) values (${consumer}, ${event.id})
            on conflict do nothing returning event_id`;
          if (!fresh) return false;
          await subscription.handle(tx, typed, prepared);
          return true;
        }, sql);
      },
      { 'event.type': event.type, 'event.id': event.id, 'event.consumer': consumer },
      { kind: SpanKind.CONSUMER, parent: contextFromTraceparent(event.traceparent) },
    );
    return c.json({ status: applied ? 'processed' : 'duplicate' });
  });
  return app;
}

function atData(error: { pointer: string; message: string }) {
  return { ...error, pointer: `/data${error.pointer}` };
}
