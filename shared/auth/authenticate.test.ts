import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { onError } from '../http/errors.ts';
import { authenticate } from './authenticate.ts';
import { jwksInProcess } from './keys.ts';

const issuer = 'test-issuer';
const audience = 'test-audience';

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { privateKey, jwk };
}

const trusted = await keyPair('k-trusted');
const foreign = await keyPair('k-trusted'); // same kid, not our key
const claims = { role: 'patient', mfa: false, sid: 'session-1' };

function token(options: { key?: CryptoKey; kid?: string; iss?: string; aud?: string; exp?: number | string; typ?: string; claims?: object } = {}) {
  return new SignJWT({ ...claims, ...options.claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: options.kid ?? 'k-trusted', typ: options.typ ?? 'at+jwt' })
    .setSubject('user-1')
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
    .sign(options.key ?? trusted.privateKey);
}

function appWith() {
  const app = new Hono();
  app.onError(onError);
  app.use(authenticate({ keys: jwksInProcess(async () => ({ keys: [trusted.jwk] })), issuer, audience }));
  app.get('/me', (c) => c.json(c.get('principal')));
  return app;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('authenticate()', () => {
  const app = appWith();
  const call = (bearer?: string) => app.request('/me', bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });

  it('puts the verified principal on the context', async () => {
    const res = await call(await token({ claims: { role: 'professional', grade: 'G3', mfa: true } }));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: 'user-1', role: 'professional', grade: 'G3', mfa: true, sessionId: 'session-1' });
  });

  it('answers 401 problem+json with WWW-Authenticate when no token is sent', async () => {
    const res = await call();
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  });

  const refused: [string, () => Promise<string>][] = [
    ['alg none', async () => `${b64({ alg: 'none', typ: 'at+jwt', kid: 'k-trusted' })}.${b64({ sub: 'user-1', iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 300, iat: Math.floor(Date.now() / 1000), ...claims })}.`],
    ['HS256 keyed with the public key', async () => {
      const { SignJWT: Sign } = await import('jose');
      return new Sign({ ...claims }).setProtectedHeader({ alg: 'HS256', kid: 'k-trusted', typ: 'at+jwt' }).setSubject('user-1').setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(trusted.jwk.x!));
    }],
    ['a foreign key under a trusted kid', () => token({ key: foreign.privateKey })],
    ['an unknown kid', () => token({ kid: 'k-unknown' })],
    ['the wrong audience', () => token({ aud: 'someone-else' })],
    ['the wrong issuer', () => token({ iss: 'evil' })],
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['another JWT type', () => token({ typ: 'JWT' })],
    ['an unknown role', () => token({ claims: { role: 'admin' } })],
    ['a tampered payload', async () => {
      const [header, , signature] = (await token()).split('.');
      const payload = b64({ sub: 'user-1', iss: issuer, aud: audience, iat: 1, exp: Math.floor(Date.now() / 1000) + 300, ...claims, role: 'ops' });
      return `${header}.${payload}.${signature}`;
    }],
    ['garbage', async () => 'not.a.jwt'],
  ];
  for (const [name, make] of refused) {
    it(`refuses ${name}`, async () => {
      const res = await call(await make());
      assert.equal(res.status, 401);
    });
  }

  it('picks up a rotated key by kid without a restart', async () => {
    const next = await keyPair('k-next');
    let keys = [trusted.jwk];
    const rotating = new Hono();
    rotating.onError(onError);
    rotating.use(authenticate({ keys: jwksInProcess(async () => ({ keys }), { cooldownMs: 0 }), issuer, audience }));
    rotating.get('/me', (c) => c.text(c.get('principal').id));
    const before = await rotating.request('/me', { headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(before.status, 200);
    keys = [next.jwk, trusted.jwk];
    const after = await rotating.request('/me', { headers: { authorization: `Bearer ${await token({ key: next.privateKey, kid: 'k-next' })}` } });
    assert.equal(after.status, 200);
  });

  it('checks a token’s signature once, then trusts that same token until it expires, and never for another audience', async () => {
    let lookups = 0;
    const keys = jwksInProcess(async () => ({ keys: [trusted.jwk] }));
    // jose asks the key source once per signature it checks.
    const counting: typeof keys = (header, token) => {
      lookups++;
      return keys(header, token);
    };
    const cachedApp = new Hono();
    cachedApp.onError(onError);
    cachedApp.use(authenticate({ keys: counting, issuer, audience }));
    cachedApp.get('/me', (c) => c.json(c.get('principal')));
    const bearer = await token({ exp: Math.floor(Date.now() / 1000) + 2 });
    for (let i = 0; i < 3; i++) assert.equal((await cachedApp.request('/me', { headers: { authorization: `Bearer ${bearer}` } })).status, 200);
    assert.equal(lookups, 1, 'one signature check for three requests');
    const other = new Hono();
    other.onError(onError);
    other.use(authenticate({ keys: counting, issuer, audience: 'another-audience' }));
    other.get('/me', (c) => c.text('no'));
    assert.equal((await other.request('/me', { headers: { authorization: `Bearer ${bearer}` } })).status, 401);
    await new Promise((r) => setTimeout(r, 2100 + 5000)); // past exp and the 5 s clock tolerance
    assert.equal((await cachedApp.request('/me', { headers: { authorization: `Bearer ${bearer}` } })).status, 401, 'expired is expired');
  });
});
