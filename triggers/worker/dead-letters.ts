import { Hono } from 'hono';
import { fromBinaryHttp, type CloudEvent } from '../../events/envelope.ts';
import { requirePlatformCaller } from '../../shared/auth/platform.ts';
import { parkDeadLetter } from '../../shared/bus/delivery.ts';
import { lockNamed, type Sql } from '../../shared/db/index.ts';
import { problems } from '../../shared/http/problem.ts';
import { BRIDGE_CONSUMER } from './broker.ts';

/** What the dead-letter endpoint needs. */
export interface DeadLetterDeps {
  sql: () => Sql;
  /** Verifies the caller: a platform token for `bus-worker`, or Knative's OIDC token when configured. */
  secret: () => string;
  /** Attempts Knative made (the Trigger's retry + 1), recorded with the letter. */
  attempts: number;
}

/**
 * The function a failed delivery was for, from Knative's `knativeerrordest` (the subscriber URL it gave up on,
 * `http://<function>.<namespace>.svc.cluster.local/_events`).
 *
 * @example
 * consumerOf('http://matching.consilium.svc.cluster.local/_events'); // 'matching'
 */
export function consumerOf(destination: string | undefined): string {
  if (!destination) return BRIDGE_CONSUMER;
  try {
    const host = new URL(destination).hostname;
    return /^[a-z][-a-z0-9]*$/.test(host.split('.')[0]!) ? host.split('.')[0]! : BRIDGE_CONSUMER;
  } catch {
    return BRIDGE_CONSUMER;
  }
}

/**
 * `POST /_dead-letters`: Knative's dead-letter sink. Knative posts the undeliverable event with extension
 * attributes saying where it failed (`knativeerrordest`), the last status (`knativeerrorcode`) and the body
 * (`knativeerrordata`, base64). The event is parked in bus.dead_letters under the function it was for, so
 * `npm run ops -- dead-letters` lists it and a replay delivers it straight to that function. A redelivered dead
 * letter is parked once.
 *
 * @example
 * app.route('/', deadLetterRoutes({ sql: db, secret: () => cfg.platformSecret, attempts: 5 }));
 */
export function deadLetterRoutes(deps: DeadLetterDeps): Hono {
  const app = new Hono();
  app.use('/_dead-letters', requirePlatformCaller(deps.secret, 'bus-worker'));
  app.post('/_dead-letters', async (c) => {
    const decoded = fromBinaryHttp((name) => c.req.header(name), await c.req.text());
    if ('issues' in decoded) throw problems.validation(decoded.issues, 'Not a binary-mode CloudEvent.');
    const event: CloudEvent = decoded.event;
    const consumer = consumerOf(c.req.header('ce-knativeerrordest'));
    const code = c.req.header('ce-knativeerrorcode') ?? 'unknown';
    const body = Buffer.from(c.req.header('ce-knativeerrordata') ?? '', 'base64').toString('utf8').slice(0, 500);
    await deps.sql().begin(async (tx) => {
      // Serialise on (consumer, event) so two deliveries of the same dead letter cannot both insert.
      await lockNamed(tx, `${consumer} ${event.id}`);
      const [open] = await tx`select 1 from bus.dead_letters where consumer = ${consumer} and event_id = ${event.id} and replayed_at is null`;
      if (open) return;
      await parkDeadLetter(tx, { consumer, event, attempts: deps.attempts, error: `Knative gave up: HTTP ${code}${body ? `: ${body}` : ''}` });
    });
    return c.body(null, 202);
  });
  return app;
}
