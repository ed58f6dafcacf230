import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import type { EventData, EventDefinition } from '../../events/envelope.ts';
import { toBinaryHttp } from '../../events/envelope.ts';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { config } from '../../shared/config/index.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';

/** What a test may set on an event it delivers; the rest is filled in as the relay would. */
export interface DeliveryOptions {
  id?: string;
  source?: string;
  subject?: string;
  time?: Date;
}

/**
 * POSTs one event to a function's `/_events` exactly as the platform does (binary-mode CloudEvent, a platform token
 * for that function), and answers the function's response.
 *
 * @example
 * const res = await deliverEvent(matching, MfaEnabledV1, { userId });
 * assert.equal(res.status, 200);
 */
export async function deliverEvent<D extends EventDefinition>(
  fn: ConsiliumFunction | { name: string; app: Hono },
  definition: D,
  data: EventData<D>,
  options: DeliveryOptions = {},
): Promise<Response> {
  const { headers, body } = toBinaryHttp({
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: options.source ?? 'test',
    type: definition.type,
    ...(options.subject ? { subject: options.subject } : {}),
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data,
  });
  const token = await signPlatformToken(config().platformSecret, fn.name);
  return fn.app.request('/_events', { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body });
}

/**
 * Ticks one of a function's cron jobs through `/_cron/:job` as the scheduler (or a PingSource) does, for time `at`.
 *
 * @example
 * assert.equal((await tickJob(payouts, 'weekly-batch', monday)).status, 200);
 */
export async function tickJob(fn: ConsiliumFunction, job: string, at: Date = new Date()): Promise<Response> {
  const token = await signPlatformToken(config().platformSecret, fn.name);
  return fn.app.request(`/_cron/${job}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'ce-time': at.toISOString(), 'content-type': 'application/json' },
    body: '{}',
  });
}
