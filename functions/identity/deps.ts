import type { MiddlewareHandler } from 'hono';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { jwksInProcess, type KeyResolver } from '../../shared/auth/keys.ts';
import { config } from '../../shared/config/index.ts';
import { db, type Sql } from '../../shared/db/index.ts';
import { problems } from '../../shared/http/problem.ts';
import { createKv, type Kv } from '../../shared/kv/index.ts';
import { createLimiters, DEFAULT_LIMITS, type IdentityLimits, type Limiters } from './limits.ts';
import { sessionIsLive } from './queries.ts';
import { signingKeys } from './signing-keys.ts';

/** What identity's handlers run on; tests replace the limits (or the store) to exercise them. */
export interface IdentityDeps {
  sql: () => Sql;
  /** The store behind the rate limits (Redis through Upstash, or memory). */
  kv: Kv;
  limiters: Limiters;
  /** Verifies identity's own access tokens, in process. */
  keys: KeyResolver;
}

/** Identity's own public keys, read in process (no HTTP round trip to itself). */
export const ownKeys: KeyResolver = jwksInProcess(async () => (await signingKeys()).jwks);

/**
 * The production wiring, with optional replacements.
 *
 * @example
 * const deps = identityDeps({ limits: { ...DEFAULT_LIMITS, loginIp: { limit: 3, windowSeconds: 60 } } });
 */
export function identityDeps(options: { kv?: Kv; limits?: IdentityLimits } = {}): IdentityDeps {
  const kv = options.kv ?? createKv(config());
  return {
    sql: db,
    kv,
    limiters: createLimiters(kv, options.limits ?? DEFAULT_LIMITS),
    keys: ownKeys,
  };
}

/**
 * Requires a valid access token whose session is still open: identity, unlike other functions, can see a
 * logout at once, so its own endpoints refuse a revoked session's tokens before they expire.
 *
 * @example
 * app.get('/v1/me', signedIn(deps), handler);
 */
export function signedIn(deps: IdentityDeps): MiddlewareHandler {
  const verify = authenticate({ keys: deps.keys });
  return async function signedInLive(c, next) {
    await verify(c, async () => {
      if (!(await sessionIsLive(deps.sql(), c.get('principal').sessionId))) throw problems.unauthorized('This session has ended.');
      await next();
    });
  };
}
