import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { closeDb } from '../../shared/db/index.ts';
import { defineFunction } from '../../shared/http/function.ts';
import { testRuntime } from '../../test/support/runtime.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { eventTriggers } from '../../triggers/events.ts';
import { httpTriggers } from '../../triggers/http.ts';
import opinions from './app.ts';

describe('opinions wiring', () => {
  after(() => closeDb());

  it('consumes exactly the event types and runs exactly the jobs declared for it', () => {
    const declared = eventTriggers.filter((t) => t.function === 'opinions').map((t) => t.event).sort();
    assert.deepEqual([...opinions.consumes].sort(), declared);
    assert.deepEqual(opinions.jobs, cronTriggers.filter((t) => t.function === 'opinions').map((t) => t.job));
    assert.deepEqual(cronTriggers.find((t) => t.job === 'close-follow-ups')?.schedule, '*/5 * * * *');
  });

  it('the declared prefixes send opinion paths to opinions and leave the rest of /v1/cases with cases', async () => {
    // Every declared function answers with its own name, so the test sees who got each request.
    const names = [...new Set(httpTriggers.map((t) => t.function))];
    const functions = names.map((name) => {
      const routes = new Hono();
      routes.all('*', (c) => c.json({ by: name }));
      return defineFunction({ name, routes, ready: [] });
    });
    const harness = await testRuntime({ functions, http: httpTriggers, sources: [] });
    try {
      const by = async (path: string, method = 'GET') => ((await (await harness.runtime.app.request(path, { method })).json()) as { by: string }).by;
      assert.equal(await by('/v1/cases'), 'cases');
      assert.equal(await by('/v1/cases', 'POST'), 'cases');
      assert.equal(await by('/v1/cases/42'), 'cases');
      assert.equal(await by('/v1/cases/42/cancel', 'POST'), 'cases');
      assert.equal(await by('/v1/cases/42/opinion'), 'opinions');
      assert.equal(await by('/v1/cases/42/opinion/draft', 'PUT'), 'opinions');
      assert.equal(await by('/v1/cases/42/opinion/versions'), 'opinions');
      assert.equal(await by('/v1/cases/42/opinion.pdf'), 'opinions');
      assert.equal(await by('/v1/cases/42/followups', 'POST'), 'opinions');
      assert.equal(await by('/v1/cases/42/followups/7/answer', 'POST'), 'opinions');
      assert.equal(await by('/v1/opinions/verify?hash=x'), 'opinions');
      assert.equal(await by('/v1/opinions/shared/abc'), 'opinions');
    } finally {
      await harness.close();
    }
  });

  it('serves its routes with the real function: GET /v1/opinions/keys is a JWKS', async () => {
    const res = await opinions.app.request('/v1/opinions/keys');
    const { keys } = (await res.json()) as { keys: { kty: string; crv: string; kid: string }[] };
    assert.equal(keys[0]!.crv, 'Ed25519');
    assert.ok(keys[0]!.kid);
  });
});
