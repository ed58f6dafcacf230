import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb } from '../../shared/db/index.ts';
import { client, eventsAbout, identityApp, login, newPatient, type Tokens } from './testing.ts';

describe('refresh and logout', () => {
  after(() => closeDb());
  const app = identityApp();

  it('rotates the refresh token on every use; the spent one stops working', async () => {
    const api = client(app);
    const { email } = await newPatient(api);
    const first = await login(api, email);
    const res = await api.post('/v1/auth/refresh', { refreshToken: first.refreshToken });
    assert.equal(res.status, 200);
    const second = (await res.json()) as Tokens;
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal((await api.get('/v1/me', second.accessToken)).status, 200);
    const third = await api.post('/v1/auth/refresh', { refreshToken: second.refreshToken });
    assert.equal(third.status, 200);
  });

  it('revokes the whole session when a spent refresh token is presented again', async () => {
    const api = client(app);
    const { id, email } = await newPatient(api);
    const first = await login(api, email);
    const second = (await (await api.post('/v1/auth/refresh', { refreshToken: first.refreshToken })).json()) as Tokens;
    const replay = await api.post('/v1/auth/refresh', { refreshToken: first.refreshToken });
    assert.equal(replay.status, 401);
    // The thief's replay also ends the legitimate holder's newer token and access.
    assert.equal((await api.post('/v1/auth/refresh', { refreshToken: second.refreshToken })).status, 401);
    assert.equal((await api.get('/v1/me', second.accessToken)).status, 401);
    const types = (await eventsAbout(id)).map((e) => e.type);
    assert.ok(types.includes('identity.refresh-token.reused.v1'));
    assert.ok(types.includes('identity.session.revoked.v1'));
    // Other sessions of the same person are untouched.
    const other = await login(api, email);
    assert.equal((await api.post('/v1/auth/refresh', { refreshToken: other.refreshToken })).status, 200);
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const api = client(app);
    const { email } = await newPatient(api);
    const { refreshToken } = await login(api, email);
    const answers = await Promise.all([api.post('/v1/auth/refresh', { refreshToken }), api.post('/v1/auth/refresh', { refreshToken })]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 401]);
  });

  it('refuses unknown refresh tokens and bad bodies', async () => {
    const api = client(app);
    assert.equal((await api.post('/v1/auth/refresh', { refreshToken: 'x'.repeat(43) })).status, 401);
    assert.equal((await api.post('/v1/auth/refresh', {})).status, 400);
  });

  it('logout → 204; the session’s tokens stop working at identity', async () => {
    const api = client(app);
    const { email } = await newPatient(api);
    const tokens = await login(api, email);
    const res = await api.post('/v1/auth/logout', undefined, tokens.accessToken);
    assert.equal(res.status, 204);
    assert.equal((await api.post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })).status, 401);
    assert.equal((await api.get('/v1/me', tokens.accessToken)).status, 401);
    assert.equal((await api.post('/v1/auth/logout', undefined, tokens.accessToken)).status, 204, 'idempotent');
    assert.equal((await api.post('/v1/auth/logout')).status, 401, 'needs a token');
  });

  it('rate-limits refreshes per IP under a burst, with Retry-After', async () => {
    const limited = identityApp({ refreshIp: { limit: 2, windowSeconds: 60 } });
    const api = client(limited);
    const answers = await Promise.all(Array.from({ length: 5 }, () => api.post('/v1/auth/refresh', { refreshToken: 'y'.repeat(43) })));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [401, 401, 429, 429, 429]);
    assert.ok(Number(answers.find((r) => r.status === 429)!.headers.get('retry-after')) > 0);
  });

  it('serves the public keys as a JWK Set without private parts', async () => {
    const res = await client(app).get('/v1/auth/jwks.json');
    assert.equal(res.status, 200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.ok(key.kid);
      assert.ok(['EdDSA', 'ES256'].includes(key.alg as string));
      assert.equal(key.d, undefined);
    }
  });
});
