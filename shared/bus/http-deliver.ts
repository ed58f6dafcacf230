import { toBinaryHttp } from '../../events/envelope.ts';
import { signPlatformToken } from '../auth/platform.ts';
import { outcomeOf, type Deliver } from './delivery.ts';

/**
 * Delivers events to functions over HTTP, as Knative Eventing does: a binary-mode CloudEvent POSTed to the
 * function's `/_events`, signed with a platform token for that function. Used by the production bus worker for
 * queued deliveries and replays.
 *
 * @example
 * const deliver = httpDeliver((name) => `http://${name}.consilium.svc.cluster.local`, secret);
 */
export function httpDeliver(baseUrl: (functionName: string) => string, secret: string, timeoutMs = 30_000): Deliver {
  return async (consumer, event) => {
    const { headers, body } = toBinaryHttp(event);
    const response = await fetch(`${baseUrl(consumer)}/_events`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${await signPlatformToken(secret, consumer)}` },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return outcomeOf(response.status, await response.text(), response.headers.get('retry-after'));
  };
}
