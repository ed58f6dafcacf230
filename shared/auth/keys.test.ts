import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { verifyAccessToken } from './authenticate.ts';
import { jwksFromUrl } from './keys.ts';

describe('jwksFromUrl', () => {
  let url = '';
  let fetches = 0;
  let keys: JWK[] = [];
  const server = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  before(async () => {
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/auth/jwks.json`;
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  it('verifies against a remote JWKS and caches it between tokens', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    keys = [{ ...(await exportJWK(publicKey)), kid: 'remote-1', alg: 'EdDSA', use: 'sig' }];
    const sign = () =>
      new SignJWT({ role: 'ops', mfa: true, sid: 's' })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'remote-1', typ: 'at+jwt' })
        .setSubject('ops-1')
        .setIssuer('iss')
        .setAudience('aud')
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(privateKey);
    const resolver = jwksFromUrl(url);
    assert.equal((await verifyAccessToken(await sign(), { keys: resolver, issuer: 'iss', audience: 'aud' }))?.id, 'ops-1');
    assert.equal((await verifyAccessToken(await sign(), { keys: resolver, issuer: 'iss', audience: 'aud' }))?.role, 'ops');
    assert.equal(fetches, 1);
  });
});
