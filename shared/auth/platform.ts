import type { MiddlewareHandler } from 'hono';
import { sign, verify } from 'hono/jwt';
import { config } from '../config/index.ts';
import { problems } from '../http/problem.ts';
import { acceptClusterToken, type OidcSettings } from './oidc.ts';

const ISSUER = 'consilium-platform';

/**
 * Signs a short-lived token that lets the platform (event dispatcher, cron scheduler) call one function's internal
 * endpoints. Audience is the function, so a token for one cannot be replayed against another.
 *
 * @example
 * const token = await signPlatformToken(config().platformSecret, 'matching');
 */
export async function signPlatformToken(secret: string, audience: string, ttlSeconds = 60): Promise<string> {
  // Reused for half its life: signing per event would cost more than the delivery it authorises.
  const key = `${audience}\u0000${ttlSeconds}\u0000${secret}`;
  const now = Math.floor(Date.now() / 1000);
  const cached = signed.get(key);
  if (cached && cached.renewAt > now) return cached.token;
  const token = await sign({ iss: ISSUER, aud: audience, iat: now, exp: now + ttlSeconds }, secret, 'HS256');
  if (signed.size > 1000) signed.clear();
  signed.set(key, { token, renewAt: now + Math.floor(ttlSeconds / 2) });
  return token;
}

const signed = new Map<string, { token: string; renewAt: number }>();
const verified = new Map<string, number>();

/**
 * Refuses, with 401 problem+json, any caller of the internal endpoints (`/_events`, `/_cron`) that does not
 * present a valid platform token for this function: nothing from the public ingress can forge an event or a tick.
 * A Knative Eventing OIDC token passes too where `oidc()` names the cluster's issuer (oidc.ts); by default that is
 * `config().platformOidc`, read when such a token arrives.
 *
 * @example
 * app.use('/_events/*', requirePlatformCaller(() => config().platformSecret, 'matching'));
 */
export function requirePlatformCaller(
  secret: () => string,
  audience: string,
  oidc: () => OidcSettings | undefined = () => config().platformOidc,
): MiddlewareHandler {
  return async function platformCaller(c, next) {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const now = Math.floor(Date.now() / 1000);
    const cacheKey = `${audience}\u0000${token}`;
    const knownUntil = verified.get(cacheKey);
    if (knownUntil === undefined || knownUntil <= now) {
      try {
        if (!token) throw new Error('missing');
        const { exp } = await verify(token, secret(), { alg: 'HS256', iss: ISSUER, aud: audience }).catch((error) => acceptClusterToken(token, audience, error, oidc()));
        // The same token for the same function verifies the same way: remember it until it expires, not per event.
        if (verified.size > 1000) verified.clear();
        verified.set(cacheKey, Number(exp));
      } catch {
        throw problems.unauthorized('Only the platform may call this endpoint.');
      }
    }
    await next();
  };
}
