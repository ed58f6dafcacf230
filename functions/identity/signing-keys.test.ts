import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { verifyAccessToken } from '../../shared/auth/authenticate.ts';
import { jwksInProcess } from '../../shared/auth/keys.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { keysFromConfig, rotateSigningKey, signingKeys } from './signing-keys.ts';
import { signAccessToken } from './tokens.ts';

const subject = { userId: 'u-1', role: 'patient' as const, grade: null, mfa: false, sessionId: 's-1' };

describe('signing keys', () => {
  after(() => closeDb());

  it('reads AUTH_SIGNING_KEYS: the first key signs, every key is published without its private part', async () => {
    const make = async (kid: string) => ({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid, alg: 'ES256' });
    const [current, previous] = [await make('k-2'), await make('k-1')];
    const keys = await keysFromConfig(JSON.stringify({ keys: [current, previous] }));
    assert.equal(keys.active.kid, 'k-2');
    assert.deepEqual(keys.jwks.keys.map((k) => k.kid), ['k-2', 'k-1']);
    for (const key of keys.jwks.keys) assert.equal(key.d, undefined);
    const { token } = await signAccessToken(keys, subject);
    assert.equal((await verifyAccessToken(token, { keys: jwksInProcess(async () => keys.jwks) }))?.id, 'u-1');
  });

  it('refuses malformed or unsafe key settings', async () => {
    await assert.rejects(keysFromConfig('not json'), /AUTH_SIGNING_KEYS/);
    await assert.rejects(keysFromConfig('[]'), /names no key/);
    const publicOnly = { ...(await exportJWK((await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })).publicKey)), kid: 'k', alg: 'EdDSA' };
    await assert.rejects(keysFromConfig(JSON.stringify([publicOnly])), /private part/);
    await assert.rejects(keysFromConfig(JSON.stringify([{ kty: 'oct', k: 'c2VjcmV0', kid: 'k', alg: 'HS256' }])), /EdDSA or ES256/);
  });

  it('stores generated keys with the private half sealed', async () => {
    await signingKeys();
    const rows = await db()<{ privateJwkSealed: string; publicJwk: Record<string, unknown> }[]>`
      select private_jwk_sealed, public_jwk from identity.signing_keys where retired_at is null`;
    assert.equal(rows.length, 1);
    assert.match(rows[0]!.privateJwkSealed, /^v1\./);
    assert.equal(rows[0]!.publicJwk.d, undefined);
  });

  it('rotates by kid: new tokens use the new key, tokens of the old key still verify', async () => {
    const before = await signingKeys();
    const old = await signAccessToken(before, subject);
    const kid = await rotateSigningKey(db());
    const after = await signingKeys();
    assert.equal(after.active.kid, kid);
    assert.notEqual(kid, before.active.kid);
    const fresh = await signAccessToken(after, subject);
    const keys = jwksInProcess(async () => (await signingKeys()).jwks);
    assert.equal((await verifyAccessToken(fresh.token, { keys }))?.id, 'u-1');
    assert.equal((await verifyAccessToken(old.token, { keys }))?.id, 'u-1');
    assert.ok(after.jwks.keys.some((k) => k.kid === before.active.kid), 'the previous key stays published');
  });
});
