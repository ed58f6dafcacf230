import { readFile } from 'node:fs/promises';
import { toBinaryHttp } from '../../events/envelope.ts';
import { outcomeOf, type Deliver } from '../../shared/bus/delivery.ts';

/** The consumer name the bridge uses in bus.deliveries / bus.dead_letters (it is not a function). */
export const BRIDGE_CONSUMER = 'broker';

/**
 * Reads the projected service-account token the kubelet keeps fresh (infra mounts it with the Broker's audience);
 * re-read at most once a minute, well inside its lifetime.
 *
 * @example
 * const token = tokenFile('/var/run/secrets/consilium/broker/token');
 * await token(); // 'eyJhbGciOi…'
 */
export function tokenFile(path: string, now: () => number = Date.now): () => Promise<string> {
  let cached: { token: string; readAt: number } | undefined;
  return async () => {
    if (!cached || now() - cached.readAt > 60_000) cached = { token: (await readFile(path, 'utf8')).trim(), readAt: now() };
    return cached.token;
  };
}

/**
 * The JetStream → Broker bridge's delivery: each relayed event POSTed as a binary-mode CloudEvent to the Knative
 * Broker's ingress (which answers 202), with the Broker-audience token. Its answers read like a function's:
 * 2xx done, 408/409/429/5xx retried with backoff, the rest parked.
 *
 * @example
 * const deliver = brokerDeliver({ url: 'http://broker-ingress.knative-eventing.svc.cluster.local/consilium/default', token });
 */
export function brokerDeliver(options: { url: string; token?: () => Promise<string>; timeoutMs?: number }): Deliver {
  return async (_consumer, event) => {
    const { headers, body } = toBinaryHttp(event);
    const token = options.token ? await options.token() : undefined;
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    return outcomeOf(response.status, await response.text(), response.headers.get('retry-after'));
  };
}

/**
 * One delivery function for the worker: the bridge's rows go to the Broker, every other consumer's (replays of a
 * function's dead letters, in-process queued deliveries) straight to the function with a platform token.
 *
 * @example
 * const deliver = routeDeliveries(brokerDeliver({ url, token }), httpDeliver(urlOf, secret));
 */
export function routeDeliveries(toBroker: Deliver, toFunction: Deliver): Deliver {
  return (consumer, event) => (consumer === BRIDGE_CONSUMER ? toBroker(consumer, event) : toFunction(consumer, event));
}
