import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import { closeDb } from '../../shared/db/index.ts';
import { onError } from '../../shared/http/errors.ts';
import { buildOpenApi } from '../../shared/http/openapi.ts';
import identity from './app.ts';
import { client, login, newPatient } from './testing.ts';

/** Another function's app: it knows nothing of identity but its tokens (keys found in process, as in `npm start`). */
function casesLikeApp() {
  const cases = new Map([['case-1', { ownerId: '' }]]);
  const app = new Hono();
  app.onError(onError);
  app.use(authenticate());
  app.get('/v1/cases/:id', (c) => {
    const found = cases.get(c.req.param('id'));
    if (!found) return c.json({ type: 'not-found' }, 404);
    authorize(c.get('principal'), 'case:read', found);
    return c.json({ id: c.req.param('id') });
  });
  return { app, cases };
}

describe('identity as a function', () => {
  after(() => closeDb());

  it('is named identity and is ready when its database and rate-limit store answer', async () => {
    assert.equal(identity.name, 'identity');
    assert.equal((await identity.app.request('/healthz')).status, 200);
    const ready = await identity.app.request('/readyz');
    assert.equal(ready.status, 200, await ready.clone().text());
  });

  it('issues tokens other functions verify locally, and the policy hides foreign objects as 404', async () => {
    const api = client(identity.app);
    const owner = await newPatient(api);
    const stranger = await newPatient(api);
    const { app, cases } = casesLikeApp();
    cases.set('case-1', { ownerId: owner.id });
    const ownerToken = (await login(api, owner.email)).accessToken;
    const strangerToken = (await login(api, stranger.email)).accessToken;
    const get = (token?: string) => app.request('/v1/cases/case-1', token ? { headers: { authorization: `Bearer ${token}` } } : {});
    assert.equal((await get(ownerToken)).status, 200);
    assert.equal((await get(strangerToken)).status, 404);
    assert.equal((await get()).status, 401);
  });

  it('documents every public route in the OpenAPI document', () => {
    const doc = buildOpenApi([identity.app], { title: 'test', version: '0' }) as { paths: Record<string, Record<string, { summary?: string }>> };
    for (const [path, method] of [
      ['/v1/auth/register', 'post'],
      ['/v1/auth/login', 'post'],
      ['/v1/auth/refresh', 'post'],
      ['/v1/auth/logout', 'post'],
      ['/v1/auth/jwks.json', 'get'],
      ['/v1/auth/mfa/setup', 'post'],
      ['/v1/auth/mfa/verify', 'post'],
      ['/v1/me', 'get'],
      ['/v1/me', 'patch'],
      ['/v1/professionals', 'post'],
      ['/v1/professionals/{id}/verify', 'post'],
      ['/v1/specialties', 'get'],
      ['/v1/consents', 'post'],
      ['/v1/consents', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method]?.summary, `${method.toUpperCase()} ${path}`);
    }
  });
});
