import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { config } from '../config/index.ts';

/** Finds the public key for a token's `kid` (jose's key-lookup function). */
export type KeyResolver = JWTVerifyGetKey;

/**
 * Resolves keys from a JWKS URL (identity's `/v1/auth/jwks.json`), cached and refetched when a token names a `kid`
 * not yet seen, so a key rotation needs no restart. What production functions other than identity use.
 *
 * @example
 * const keys = jwksFromUrl('https://api.consilium.health/v1/auth/jwks.json');
 */
export function jwksFromUrl(url: string): KeyResolver {
  return createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 });
}

/**
 * Resolves keys from a JWKS loaded in process (identity itself, the local runtime, tests). The set is cached for
 * `maxAgeMs` and reloaded at most every `cooldownMs` when a token names an unknown `kid`, as a remote set would be.
 *
 * @example
 * const keys = jwksInProcess(async () => ({ keys: [publicJwk] }));
 */
export function jwksInProcess(
  load: () => Promise<JSONWebKeySet>,
  options: { maxAgeMs?: number; cooldownMs?: number } = {},
): KeyResolver {
  const { maxAgeMs = 60_000, cooldownMs = 1_000 } = options;
  let current: { resolve: KeyResolver; kids: Set<string>; loadedAt: number } | undefined;
  const reload = async () => {
    const set = await load();
    current = {
      resolve: createLocalJWKSet(set),
      kids: new Set(set.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string')),
      loadedAt: Date.now(),
    };
    return current;
  };
  return async function resolveInProcess(header, token) {
    const age = current ? Date.now() - current.loadedAt : Infinity;
    const unknownKid = current && header.kid !== undefined && !current.kids.has(header.kid);
    const set = !current || age > maxAgeMs || (unknownKid && age > cooldownMs) ? await reload() : current;
    return set.resolve(header, token);
  };
}

let inProcess: KeyResolver | undefined;

/**
 * Lets identity offer its keys to functions running in the same process (the local runtime), so they verify
 * without an HTTP round trip and without touching identity's tables.
 *
 * @example
 * registerInProcessKeys(jwksInProcess(() => currentJwks()));
 */
export function registerInProcessKeys(resolver: KeyResolver): void {
  inProcess = resolver;
}

let fromConfig: KeyResolver | undefined;

/**
 * The keys a function verifies with: identity's, when identity runs in this process; otherwise the JWKS at
 * `AUTH_JWKS_URL` (or `PUBLIC_URL/v1/auth/jwks.json`).
 *
 * @example
 * app.use('/v1/cases/*', authenticate({ keys: defaultKeys }));
 */
export const defaultKeys: KeyResolver = async (header, token) => {
  if (inProcess) return inProcess(header, token);
  const url = config().auth.jwksUrl;
  if (!url) throw new Error('AUTH_JWKS_URL (or PUBLIC_URL) is not set and identity does not run in this process');
  fromConfig ??= jwksFromUrl(url);
  return fromConfig(header, token);
};
