import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import * as v from 'valibot';
import { defineEvent, toBinaryHttp } from '../../events/envelope.ts';
import { on } from '../../shared/bus/consumer.ts';
import { closeDb } from '../../shared/db/index.ts';
import { defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { uniqueName } from '../../test/support/names.ts';
import { testRuntime } from '../../test/support/runtime.ts';
import { checkDeclarations } from './declarations.ts';

after(() => closeDb());

const PingedV1 = defineEvent('test.pinged.v1', 'A test ping.', v.object({ n: v.number() }));

function greeter(name = uniqueName('fn'), ready = async () => {}) {
  const routes = new Hono();
  routes.get('/v1/greetings', (c) => c.json({ from: name }));
  routes.get('/v1/greetings/:id', (c) => c.json({ id: c.req.param('id') }));
  const ticks: Date[] = [];
  const fn = defineFunction({
    name,
    routes,
    events: [on(PingedV1, async () => {})],
    cron: { 'tidy-up': async ({ scheduledAt }) => void ticks.push(scheduledAt) },
    ready: [{ name: 'dependency', check: ready }],
  });
  return { fn, ticks };
}

/** A runtime serving one greeter with all its triggers declared. */
const greeterRuntime = (fn: ConsiliumFunction) =>
  testRuntime({
    functions: [fn],
    http: [{ prefix: '/v1/greetings', function: fn.name }],
    events: [{ event: PingedV1.type, function: fn.name }],
    cron: [{ job: 'tidy-up', schedule: '0 * * * *', function: fn.name }],
  });

describe('the local runtime', () => {
  it('serves each function under its declared prefixes, and problems elsewhere', async () => {
    const { fn } = greeter();
    const harness = await greeterRuntime(fn);
    try {
      const { app } = harness.runtime;
      assert.deepEqual(await (await app.request('/v1/greetings')).json(), { from: fn.name });
      assert.deepEqual(await (await app.request('/v1/greetings/42')).json(), { id: '42' });
      const missing = await app.request('/v1/elsewhere');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-type'), 'application/problem+json');
      assert.equal((await app.request('/healthz')).status, 200);
      assert.equal((await app.request('/readyz')).status, 200);
    } finally {
      await harness.close();
    }
  });

  it('routes a request to the most specific trigger, by path shape and method', async () => {
    const answering = (role: string) => {
      const name = uniqueName(role);
      const routes = new Hono();
      routes.all('*', (c) => c.json({ by: name }));
      return defineFunction({ name, routes, ready: [] });
    };
    const [cases, opinions, identity, compliance] = [answering('cases'), answering('opinions'), answering('identity'), answering('compliance')];
    const harness = await testRuntime({
      functions: [cases, opinions, identity, compliance],
      http: [
        { prefix: '/v1/cases', function: cases.name },
        { prefix: '/v1/me', function: identity.name },
        { prefix: '/v1/cases/:id/opinion', function: opinions.name },
        { prefix: '/v1/me', function: compliance.name, methods: ['DELETE'] },
        { prefix: '/v1/me/export', function: compliance.name },
      ],
    });
    try {
      const by = async (path: string, method = 'GET') => ((await (await harness.runtime.app.request(path, { method })).json()) as { by: string }).by;
      assert.equal(await by('/v1/cases'), cases.name);
      assert.equal(await by('/v1/cases/42'), cases.name);
      assert.equal(await by('/v1/cases/42/opinion'), opinions.name);
      assert.equal(await by('/v1/cases/42/opinion/draft', 'PUT'), opinions.name);
      assert.equal(await by('/v1/cases/42/documents'), cases.name);
      assert.equal(await by('/v1/me'), identity.name);
      assert.equal(await by('/v1/me', 'PATCH'), identity.name);
      assert.equal(await by('/v1/me', 'DELETE'), compliance.name);
      assert.equal(await by('/v1/me/export'), compliance.name);
      assert.equal((await harness.runtime.app.request('/v1/media')).status, 404, 'prefixes match whole segments');
    } finally {
      await harness.close();
    }
  });

  it('reports the function whose dependency is down as not ready', async () => {
    const { fn } = greeter(undefined, async () => Promise.reject(new Error('down')));
    const harness = await testRuntime({
      functions: [fn],
      events: [{ event: PingedV1.type, function: fn.name }],
      cron: [{ job: 'tidy-up', schedule: '0 * * * *', function: fn.name }],
    });
    try {
      const res = await harness.runtime.app.request('/readyz');
      assert.equal(res.status, 503);
      assert.deepEqual(((await res.json()) as { failing: string[] }).failing, [fn.name]);
    } finally {
      await harness.close();
    }
  });

  it('refuses a forged event or tick with 401, and never exposes internal endpoints publicly', async () => {
    const { fn, ticks } = greeter();
    const event = toBinaryHttp({
      specversion: '1.0',
      id: crypto.randomUUID(),
      source: 'attacker',
      type: PingedV1.type,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { n: 1 },
    });
    const forged = await fn.app.request('/_events', { method: 'POST', headers: { ...event.headers, authorization: 'Bearer forged' }, body: event.body });
    assert.equal(forged.status, 401);
    assert.equal(forged.headers.get('content-type'), 'application/problem+json');
    assert.equal((await fn.app.request('/_events', { method: 'POST', headers: event.headers, body: event.body })).status, 401);
    assert.equal((await fn.app.request('/_cron/tidy-up', { method: 'POST' })).status, 401);
    assert.equal(ticks.length, 0);

    const harness = await greeterRuntime(fn);
    try {
      const viaIngress = await harness.runtime.app.request('/_events', { method: 'POST', headers: event.headers, body: event.body });
      assert.equal(viaIngress.status, 404);
    } finally {
      await harness.close();
    }
  });

  it('fires a cron job on its schedule, by a clock the test controls', async () => {
    const { fn, ticks } = greeter();
    const start = new Date('2026-01-01T00:00:00Z');
    const harness = await testRuntime({
      functions: [fn],
      events: [{ event: PingedV1.type, function: fn.name }],
      cron: [{ job: 'tidy-up', schedule: '*/5 * * * *', function: fn.name }],
      now: () => start,
    });
    try {
      const { scheduler } = harness.runtime;
      const at = (time: string) => scheduler.tick(new Date(`2026-01-01T${time}Z`));
      await at('00:04:59');
      assert.equal(ticks.length, 0, 'not before its time');
      await at('00:05:00');
      assert.deepEqual(ticks.map((t) => t.toISOString()), ['2026-01-01T00:05:00.000Z']);
      await at('00:05:30');
      assert.equal(ticks.length, 1, 'once per scheduled time');
      await at('00:17:10');
      assert.deepEqual(ticks.map((t) => t.toISOString()).slice(1), ['2026-01-01T00:15:00.000Z'], 'the latest missed time, no backlog');
      assert.equal(scheduler.nextRuns()[0]!.at.toISOString(), '2026-01-01T00:20:00.000Z');
    } finally {
      await harness.close();
    }
  });
});

describe('declarations', () => {
  it('must agree with the functions', () => {
    const { fn } = greeter('declared');
    assert.throws(
      () =>
        checkDeclarations({
          functions: [fn],
          http: [
            { prefix: '/v1/x', function: 'missing' },
            { prefix: '/v1/y/:id', function: 'declared', methods: ['GET', 'PUT'] },
            { prefix: '/v1/y/:other', function: 'declared', methods: ['PUT'] },
            { prefix: '/v1/y/:id', function: 'declared', methods: ['DELETE'] },
          ],
          events: [{ event: 'test.other.v1', function: 'declared' }],
          cron: [{ job: 'nightly', schedule: 'every day', function: 'declared' }],
        }),
      (error: Error) => {
        for (const expected of [
          'http /v1/x: no function named missing',
          'http /v1/y/:other: claimed by both declared and declared',
          'events test.other.v1: declared has no handler for it',
          `events ${PingedV1.type}: declared handles it but triggers/events.ts does not subscribe it`,
          'cron declared/nightly: no handler',
          'cron declared/tidy-up: handled but never scheduled',
          'invalid schedule "every day"',
        ]) {
          assert.ok(error.message.includes(expected), `missing: ${expected}\n${error.message}`);
        }
        return true;
      },
    );
  });
});
