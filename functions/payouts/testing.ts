import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { EventData, EventDefinition } from '../../events/envelope.ts';
import type { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { db } from '../../shared/db/index.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { deliverEvent, tickJob } from '../../test/support/platform-calls.ts';
import { client, identityApp, signedInOps, signedInProfessional, type Client } from '../identity/testing.ts';

/** Helpers for the payouts tests: identity and payouts on one origin, events and ticks as the platform sends them. */

export { signedInOps, signedInProfessional };

/** One app answering identity's and this payouts function's routes. */
export function platformApp(payouts: ConsiliumFunction): Hono {
  const app = new Hono();
  app.route('/', identityApp());
  app.route('/', payouts.app);
  return app;
}

/** `PUT path` with a JSON body as `api`'s client (the identity test client has no PUT). */
export function putJson(app: Hono, api: Client, path: string, body: unknown, token?: string): Promise<Response> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return Promise.resolve(app.request(path, { method: 'PUT', headers: { 'x-forwarded-for': api.ip, 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) }));
}


/** Calls a function's internal event endpoint with `data` as one event of `definition`, signed as the platform. */
export function deliver<D extends EventDefinition>(fn: ConsiliumFunction, definition: D, data: EventData<D>, id: string = randomUUID()): Promise<Response> {
  return deliverEvent(fn, definition, data, { id });
}

/** Ticks a function's cron job as the platform would, for the time `at`. */
export const tick = (fn: ConsiliumFunction, job: string, at: Date): Promise<Response> => tickJob(fn, job, at);

/** A valid `opinion.delivered.v1` payload: a new case, no reviewer, signed at `signedAt`. */
export function delivered(extra: Partial<EventData<typeof OpinionDeliveredV1>> = {}): EventData<typeof OpinionDeliveredV1> {
  const signedAt = extra.signedAt ?? new Date().toISOString();
  return {
    caseId: randomUUID(), opinionId: randomUUID(), ownerId: randomUUID(), authorId: randomUUID(), authorGrade: 'G2', reviewerId: null, reviewerGrade: null,
    specialty: 'cardiology', urgency: 'standard', contentHash: 'a'.repeat(64), signedAt, followUpUntil: new Date(Date.parse(signedAt) + 14 * 86_400_000).toISOString(),
    ...extra,
  };
}

/** The events of one type payouts wrote to the outbox about one professional, oldest first. */
export async function payoutEvents(type: string, professionalId: string): Promise<{ subject: string; data: Record<string, unknown> }[]> {
  return db()<{ subject: string; data: Record<string, unknown> }[]>`
    select subject, data from bus.outbox
    where source = 'payouts' and type = ${type} and data->>'professionalId' = ${professionalId}
    order by seq`;
}

export { client, type Client };
