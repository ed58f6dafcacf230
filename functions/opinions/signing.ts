import { createHash, createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ConfigError } from '../../shared/config/index.ts';

/** The platform's opinion-signing key: Ed25519, named by `kid` (published at GET /v1/opinions/keys). */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A public key as published in the JWKS (RFC 8037 OKP). */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** What a signature is made of: the canonical text, its SHA-256 (hex) and the Ed25519 signature (base64url). */
export interface Sealed {
  canonical: string;
  contentHash: string;
  signature: string;
  kid: string;
}

// A fixed development key so local runs and tests verify across restarts; refused in production (see config.ts).
const DEV_SEED = createHash('sha256').update('consilium development opinion signing key').digest();
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
export const DEV_KID = 'opinions-dev-1';

/**
 * The development signing key (deterministic). Never used in production: {@link signingKeyFrom} refuses it.
 *
 * @example
 * const key = developmentKey(); key.kid; // 'opinions-dev-1'
 */
export function developmentKey(): SigningKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, DEV_SEED]), format: 'der', type: 'pkcs8' });
  return { kid: DEV_KID, privateKey, publicKey: createPublicKey(privateKey) };
}

/**
 * Reads a private Ed25519 JWK (`{kty: 'OKP', crv: 'Ed25519', x, d, kid}`, as JSON text) into a signing key; without
 * one, the development key outside production and a {@link ConfigError} in production.
 *
 * @example
 * const key = signingKeyFrom(process.env.OPINIONS_SIGNING_KEY, { production: false });
 */
export function signingKeyFrom(jwkText: string | undefined, options: { production: boolean }): SigningKey {
  if (!jwkText) {
    if (options.production) throw new ConfigError(['OPINIONS_SIGNING_KEY: required in production (a private Ed25519 JWK with a kid that signs opinions)']);
    return developmentKey();
  }
  let jwk: { kty?: string; crv?: string; d?: string; x?: string; kid?: string };
  try {
    jwk = JSON.parse(jwkText) as typeof jwk;
  } catch {
    throw new ConfigError(['OPINIONS_SIGNING_KEY: must be a JSON private JWK']);
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d || !jwk.x || !jwk.kid) {
    throw new ConfigError(['OPINIONS_SIGNING_KEY: needs kty OKP, crv Ed25519, x, d and kid']);
  }
  if (options.production && jwk.kid === DEV_KID) throw new ConfigError(['OPINIONS_SIGNING_KEY: the development key is refused in production']);
  const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
  return { kid: jwk.kid, privateKey, publicKey: createPublicKey(privateKey) };
}

/**
 * The public JWK of a key (what verifiers outside the platform need).
 *
 * @example
 * publicJwk(developmentKey()).crv; // 'Ed25519'
 */
export function publicJwk(key: Pick<SigningKey, 'kid' | 'publicKey'>): PublicJwk {
  const { x } = key.publicKey.export({ format: 'jwk' }) as { x: string };
  return { kty: 'OKP', crv: 'Ed25519', x, kid: key.kid, alg: 'EdDSA', use: 'sig' };
}

/**
 * SHA-256 (hex) of a canonical text.
 *
 * @example
 * hashOf('{"a":1}'); // '015abd7f…'
 */
export function hashOf(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Canonicalises `content` (RFC 8785 JSON Canonicalization Scheme), hashes it and signs the canonical bytes.
 * The content must already name the signer and the signing time: they are part of what is signed.
 *
 * @example
 * const sealed = seal({ caseId, answers, signer: { id, grade }, signedAt }, key);
 */
export function seal(content: unknown, key: SigningKey): Sealed {
  const canonical = canonicalize(content);
  if (canonical === undefined) throw new TypeError('content cannot be canonicalised');
  const signature = edSign(null, Buffer.from(canonical, 'utf8'), key.privateKey).toString('base64url');
  return { canonical, contentHash: hashOf(canonical), signature, kid: key.kid };
}

/**
 * Whether stored content still proves itself: its hash recomputed from the canonical text equals `contentHash`,
 * and the signature over that text verifies with the key named by `kid`. Any changed byte fails.
 *
 * @example
 * verifySealed(row, (kid) => keys.get(kid)); // true
 */
export function verifySealed(sealed: Sealed, keyOf: (kid: string) => KeyObject | undefined): boolean {
  const publicKey = keyOf(sealed.kid);
  if (!publicKey || hashOf(sealed.canonical) !== sealed.contentHash) return false;
  try {
    return edVerify(null, Buffer.from(sealed.canonical, 'utf8'), publicKey, Buffer.from(sealed.signature, 'base64url'));
  } catch {
    return false;
  }
}
