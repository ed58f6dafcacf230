import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { ACCESS_TOKEN_ALGORITHMS } from '../../shared/auth/authenticate.ts';
import { config, ConfigError } from '../../shared/config/index.ts';
import { db, transaction, type Sql } from '../../shared/db/index.ts';
import { masterKey, open, seal } from './crypto.ts';
import { activeStoredKeys, insertSigningKey, lockSigningKeys, retireSigningKeys } from './queries.ts';

/** The key new access tokens are signed with, and every public key that still verifies. */
export interface SigningKeys {
  active: { kid: string; alg: string; privateKey: CryptoKey | Uint8Array };
  jwks: JSONWebKeySet;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;
const CACHE_MS = 30_000;

/**
 * The public half of a JWK, marked for signature verification with its algorithm.
 *
 * @example
 * publicJwk({ kty: 'OKP', crv: 'Ed25519', x, d, kid: 'k1', alg: 'EdDSA' }); // no `d`
 */
export function publicJwk(jwk: JWK): JWK {
  const copy: JWK = { ...jwk, use: 'sig' };
  for (const member of PRIVATE_MEMBERS) delete (copy as Record<string, unknown>)[member];
  return copy;
}

/**
 * Reads `AUTH_SIGNING_KEYS`: a JSON array (or JWK Set) of private JWKs, each with `kid` and `alg` (EdDSA or ES256).
 * The first signs; the others are published so tokens they signed still verify during a rotation.
 *
 * @example
 * const keys = await keysFromConfig('[{"kty":"OKP","crv":"Ed25519","x":"…","d":"…","kid":"2026-12","alg":"EdDSA"}]');
 */
export async function keysFromConfig(text: string): Promise<SigningKeys> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(['AUTH_SIGNING_KEYS: must be JSON (an array of private JWKs or a JWK Set)']);
  }
  const list = (Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys) as JWK[] | undefined;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError(['AUTH_SIGNING_KEYS: names no key']);
  for (const [i, jwk] of list.entries()) {
    if (!jwk.kid || !jwk.alg || !ACCESS_TOKEN_ALGORITHMS.includes(jwk.alg) || !jwk.d) {
      throw new ConfigError([`AUTH_SIGNING_KEYS: key ${i} needs a kid, a private part (d) and alg ${ACCESS_TOKEN_ALGORITHMS.join(' or ')}`]);
    }
  }
  const first = list[0]!;
  return {
    active: { kid: first.kid!, alg: first.alg!, privateKey: await importJWK(first, first.alg) },
    jwks: { keys: list.map(publicJwk) },
  };
}

/**
 * Generates an EdDSA (Ed25519) key pair as JWKs under a new `kid`.
 *
 * @example
 * const { kid, privateJwk, publicJwk } = await generateSigningKey();
 */
export async function generateSigningKey(): Promise<{ kid: string; alg: string; privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const kid = `${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' };
  return { kid, alg: 'EdDSA', privateJwk, publicJwk: publicJwk(privateJwk) };
}

/**
 * Loads the stored keys (embedded and development mode), generating the first one if there is none. Runs under a
 * transaction-scoped advisory lock so concurrent processes agree on one key. A key the master key cannot open (the
 * master key changed) is retired and replaced.
 */
export async function keysFromDatabase(sql: Sql, graceSeconds: number): Promise<SigningKeys> {
  return transaction(async (tx) => {
    await lockSigningKeys(tx);
    let rows = await activeStoredKeys(tx, graceSeconds);
    const signing = rows.find((r) => r.retiredAt === null);
    let active: SigningKeys['active'] | undefined;
    if (signing) {
      try {
        const jwk = JSON.parse(open(masterKey(), signing.privateJwkSealed, `signing-key:${signing.kid}`)) as JWK;
        active = { kid: signing.kid, alg: signing.alg, privateKey: await importJWK(jwk, signing.alg) };
      } catch {
        await retireSigningKeys(tx);
      }
    }
    if (!active) {
      const key = await generateSigningKey();
      await insertSigningKey(tx, {
        kid: key.kid,
        alg: key.alg,
        publicJwk: key.publicJwk,
        privateJwkSealed: seal(masterKey(), JSON.stringify(key.privateJwk), `signing-key:${key.kid}`),
      });
      active = { kid: key.kid, alg: key.alg, privateKey: await importJWK(key.privateJwk, key.alg) };
      rows = await activeStoredKeys(tx, graceSeconds);
    }
    return { active, jwks: { keys: rows.map((r) => r.publicJwk as JWK) } };
  }, sql);
}

/**
 * Rotates the stored keys: a new key signs from now on; the previous ones stay published until every token they
 * signed has expired. (With `AUTH_SIGNING_KEYS`, rotate by putting the new key first in the setting.)
 *
 * @example
 * const kid = await rotateSigningKey(db());
 */
export async function rotateSigningKey(sql: Sql = db()): Promise<string> {
  const key = await generateSigningKey();
  await transaction(async (tx) => {
    await lockSigningKeys(tx);
    await retireSigningKeys(tx);
    await insertSigningKey(tx, {
      kid: key.kid,
      alg: key.alg,
      publicJwk: key.publicJwk,
      privateJwkSealed: seal(masterKey(), JSON.stringify(key.privateJwk), `signing-key:${key.kid}`),
    });
  }, sql);
  forgetSigningKeys();
  return key.kid;
}

let cached: { keys: Promise<SigningKeys>; at: number } | undefined;

/**
 * This process's signing keys: from `AUTH_SIGNING_KEYS` when set (required in production), otherwise from the
 * identity schema. Cached briefly, so a rotation made by another process is seen within half a minute.
 *
 * @example
 * const { active, jwks } = await signingKeys();
 */
export function signingKeys(): Promise<SigningKeys> {
  const cfg = config();
  if (!cached || Date.now() - cached.at > CACHE_MS) {
    if (!cfg.auth.signingKeys && cfg.production) {
      throw new ConfigError(['AUTH_SIGNING_KEYS: required in production (signs access tokens)']);
    }
    const keys = cfg.auth.signingKeys
      ? keysFromConfig(cfg.auth.signingKeys)
      : keysFromDatabase(db(), cfg.auth.accessTtlSeconds + 300);
    cached = { keys, at: Date.now() };
    keys.catch(() => (cached = undefined));
  }
  return cached.keys;
}

/** Drops the cached keys (after a rotation, and in tests). */
export function forgetSigningKeys(): void {
  cached = undefined;
}
