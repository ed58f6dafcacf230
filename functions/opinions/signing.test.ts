import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError } from '../../shared/config/index.ts';
import { DEV_KID, developmentKey, hashOf, publicJwk, seal, signingKeyFrom, verifySealed } from './signing.ts';

describe('opinion signatures', () => {
  const key = developmentKey();
  const keyOf = (kid: string) => (kid === key.kid ? key.publicKey : undefined);

  it('canonicalises (RFC 8785): key order and number spelling do not change the hash', () => {
    const a = seal({ b: 1, a: [1.0, 'x'], c: { z: true, y: null } }, key);
    const b = seal({ c: { y: null, z: true }, a: [1, 'x'], b: 1 }, key);
    assert.equal(a.canonical, '{"a":[1,"x"],"b":1,"c":{"y":null,"z":true}}');
    assert.equal(a.contentHash, b.contentHash);
    assert.equal(a.contentHash, hashOf(a.canonical));
  });

  it('verifies what it signed, and fails for any changed byte, a wrong hash, a wrong key or a wrong signature', () => {
    const sealed = seal({ answer: 'No surgery is needed.' }, key);
    assert.ok(verifySealed(sealed, keyOf));
    for (let i = 0; i < sealed.canonical.length; i++) {
      const flipped = sealed.canonical.slice(0, i) + String.fromCharCode(sealed.canonical.charCodeAt(i) ^ 1) + sealed.canonical.slice(i + 1);
      assert.equal(verifySealed({ ...sealed, canonical: flipped, contentHash: hashOf(flipped) }, keyOf), false, `byte ${i}`);
    }
    assert.equal(verifySealed({ ...sealed, contentHash: hashOf('other') }, keyOf), false);
    assert.equal(verifySealed({ ...sealed, kid: 'unknown' }, keyOf), false);
    const other = generateKeyPairSync('ed25519');
    assert.equal(verifySealed(sealed, () => other.publicKey), false);
    assert.equal(verifySealed({ ...sealed, signature: 'AAAA' }, keyOf), false);
  });

  it('reads a private Ed25519 JWK; production refuses the development key and a missing one', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: '2026-12' };
    const loaded = signingKeyFrom(JSON.stringify(jwk), { production: true });
    assert.equal(loaded.kid, '2026-12');
    assert.equal(publicJwk(loaded).x, jwk.x);
    assert.ok(verifySealed(seal({ a: 1 }, loaded), () => loaded.publicKey));
    assert.throws(() => signingKeyFrom(undefined, { production: true }), ConfigError);
    const dev = { ...(developmentKey().privateKey.export({ format: 'jwk' }) as object), kid: DEV_KID };
    assert.throws(() => signingKeyFrom(JSON.stringify(dev), { production: true }), /development key/);
    assert.throws(() => signingKeyFrom('{"kty":"RSA"}', { production: false }), ConfigError);
    assert.equal(signingKeyFrom(undefined, { production: false }).kid, DEV_KID);
  });
});
