import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { onError } from '../http/errors.ts';
import { requirePlatformCaller, signPlatformToken } from './platform.ts';

const secret = 's'.repeat(40);

function internalApp(audience = 'matching') {
  const app = new Hono();
  app.onError(onError);
  app.use('/_events', requirePlatformCaller(() => secret, audience));
  app.post('/_events', (c) => c.text('ok'));
  return app;
}

const call = (token?: string) =>
  internalApp().request('/_events', { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('platform tokens', () => {
  it('let the platform call a function', async () => {
    assert.equal((await call(await signPlatformToken(secret, 'matching'))).status, 200);
  });

  it('refuse a call without a token with 401 problem+json', async () => {
    const res = await call();
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  });

  it('refuse a token for another function, signed with another secret, or expired', async () => {
    assert.equal((await call(await signPlatformToken(secret, 'payments'))).status, 401);
    assert.equal((await call(await signPlatformToken('x'.repeat(40), 'matching'))).status, 401);
    const past = Math.floor(Date.now() / 1000) - 120;
    const expired = await sign({ iss: 'consilium-platform', aud: 'matching', iat: past, exp: past + 60 }, secret, 'HS256');
    assert.equal((await call(expired)).status, 401);
  });

  it('never lets a token accepted by one function pass at another in the same process', async () => {
    const token = await signPlatformToken(secret, 'matching');
    assert.equal((await call(token)).status, 200);
    const elsewhere = await internalApp('payments').request('/_events', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(elsewhere.status, 401);
  });
});
