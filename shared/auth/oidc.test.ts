import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { config } from '../config/index.ts';
import { onError } from '../http/errors.ts';
import { verifyClusterToken, type OidcSettings } from './oidc.ts';
import { requirePlatformCaller, signPlatformToken } from './platform.ts';

// A stand-in for the cluster's service-account issuer: discovery document and JWKS on a local HTTP server, keys
// generated here. Tokens are made the way the Kubernetes token API makes them (RS256, iss, aud, exp, sub).

let server: Server;
let issuer: string;
let clusterKey: CryptoKey;
let otherKey: CryptoKey;
let jwksFetches = 0;

before(async () => {
  const cluster = await generateKeyPair('RS256');
  clusterKey = cluster.privateKey;
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  // The JWKS publishes the public half only.
  const publicJwk = { ...(await exportJWK(cluster.publicKey)), kid: 'cluster-1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/openid/v1/jwks` }));
    if (req.url === '/openid/v1/jwks') {
      jwksFetches++;
      return res.end(JSON.stringify({ keys: [publicJwk] }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Before anything reads config(): the default of requirePlatformCaller is this process's own configuration.
  process.env.PLATFORM_OIDC_ISSUER = issuer;
});

after(() => {
  delete process.env.PLATFORM_OIDC_ISSUER;
  server?.close();
});

function clusterToken(claims: { aud?: string; iss?: string; exp?: number } = {}, key: CryptoKey = clusterKey) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'kubernetes.io': { namespace: 'knative-eventing' } })
    .setProtectedHeader({ alg: 'RS256', kid: 'cluster-1' })
    .setIssuer(claims.iss ?? issuer)
    .setAudience(claims.aud ?? 'matching')
    .setSubject('system:serviceaccount:consilium:oidc-trigger-matching')
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(key);
}

/** An app behind requirePlatformCaller; without `oidc`, the middleware's default (the configuration). */
function internalApp(audience: string, oidc?: () => OidcSettings | undefined) {
  const app = new Hono();
  app.onError(onError);
  app.use('/_events', requirePlatformCaller(() => 's'.repeat(40), audience, oidc));
  app.post('/_events', (c) => c.text('ok'));
  return app;
}
const post = async (app: Hono, token: string) =>
  (await app.request('/_events', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status;

describe('cluster OIDC tokens', () => {
  it('verify against the issuer discovered from its URL', async () => {
    const { exp } = await verifyClusterToken(await clusterToken(), 'matching', { issuer });
    assert.ok(exp > Date.now() / 1000);
    assert.ok(jwksFetches >= 1);
  });

  it('are refused for another audience, another issuer, after expiry, or signed with another key', async () => {
    const settings = { issuer };
    const past = Math.floor(Date.now() / 1000) - 60;
    await assert.rejects(verifyClusterToken(await clusterToken({ aud: 'payments' }), 'matching', settings));
    await assert.rejects(verifyClusterToken(await clusterToken({ iss: 'https://evil.example' }), 'matching', settings));
    await assert.rejects(verifyClusterToken(await clusterToken({ exp: past }), 'matching', settings));
    await assert.rejects(verifyClusterToken(await clusterToken({}, otherKey), 'matching', settings));
  });

  it('pass requirePlatformCaller only when OIDC is configured, and only for their own function', async () => {
    const token = await clusterToken();
    const on = () => ({ issuer });
    assert.equal(await post(internalApp('matching', () => undefined), token), 401, 'not accepted without the setting');
    assert.equal(await post(internalApp('matching', on), token), 200);
    assert.equal(await post(internalApp('cases', on), await clusterToken({ aud: 'cases' })), 200);
    assert.equal(await post(internalApp('payments', on), token), 401, 'a token for matching does not open payments');
    assert.equal(await post(internalApp('matching', on), await clusterToken({}, otherKey)), 401);
    // The platform token keeps working alongside.
    assert.equal(await post(internalApp('matching', on), await signPlatformToken('s'.repeat(40), 'matching')), 200);
  });

  it('pass by default when PLATFORM_OIDC_ISSUER is in the configuration', async () => {
    assert.equal(config().platformOidc?.issuer, issuer, 'the configuration was read before the issuer was set');
    // An audience no earlier test used: an accepted token is remembered per function.
    assert.equal(await post(internalApp('opinions'), await clusterToken({ aud: 'opinions' })), 200);
    assert.equal(await post(internalApp('opinions'), await clusterToken({ aud: 'opinions' }, otherKey)), 401);
  });
});
