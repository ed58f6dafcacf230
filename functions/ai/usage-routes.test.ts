import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { closeDb, db } from '../../shared/db/index.ts';
import { client, signedInOps, signedInPatient } from '../cases/testing.ts';
import { identityApp } from '../identity/testing.ts';
import { createAi } from './app.ts';
import { aiDefaults, costMicros } from './config.ts';
import { insertUsage } from './queries.ts';

describe('GET /v1/ai/usage', () => {
  after(() => closeDb());
  const ai = createAi({ settings: { ...aiDefaults, currency: 'EUR' } });
  const app = new Hono();
  app.route('/', identityApp());
  app.route('/', ai.app);
  const api = client(app);

  it('groups calls, tokens and cost by day, provider or case, for ops only', async () => {
    // A month no other test writes to, so the totals are this test's alone.
    const p1 = `u1-${randomUUID().slice(0, 6)}`;
    const p2 = `u2-${randomUUID().slice(0, 6)}`;
    const [c1, c2] = [randomUUID(), randomUUID()];
    const row = (at: string, provider: string, caseId: string, tokensIn: number, tokensOut: number, outcome = 'ok') => ({
      at: new Date(at), provider, model: 'm', caseId, tokensIn, tokensOut, latencyMs: 100,
      costMicros: costMicros({ priceMicrosPer1kInput: 150, priceMicrosPer1kOutput: 600 }, tokensIn, tokensOut), outcome,
    });
    for (const r of [
      row('2031-03-01T10:00:00Z', p1, c1, 1000, 500),
      row('2031-03-01T23:59:59Z', p1, c1, 2000, 0, 'timeout'),
      row('2031-03-02T00:00:00Z', p2, c2, 1000, 1000),
    ]) await insertUsage(db(), r);

    const ops = await signedInOps(api);
    const byDay = await api.get('/v1/ai/usage?from=2031-03-01&to=2031-03-02&groupBy=day', ops.token);
    assert.equal(byDay.status, 200);
    const body = (await byDay.json()) as any;
    assert.equal(body.currency, 'EUR');
    assert.deepEqual(body.items.map((i: any) => [i.key, i.calls, i.failures, i.costMicros]), [
      ['2031-03-01', 2, 1, 750],
      ['2031-03-02', 1, 0, 750],
    ]);
    assert.deepEqual(body.total, { calls: 3, failures: 1, tokensIn: 4000, tokensOut: 1500, costMicros: 1500 });

    const byProvider = (await (await api.get('/v1/ai/usage?from=2031-03-01&to=2031-03-02&groupBy=provider', ops.token)).json()) as any;
    assert.deepEqual(byProvider.items.map((i: any) => [i.key, i.tokensIn]).sort(), [[p1, 3000], [p2, 1000]].sort());
    const byCase = (await (await api.get('/v1/ai/usage?from=2031-03-01T00:00:00Z&to=2031-03-01T12:00:00Z&groupBy=case', ops.token)).json()) as any;
    assert.deepEqual(byCase.items.map((i: any) => [i.key, i.calls]), [[c1, 1]]);

    const patient = await signedInPatient(api);
    assert.equal((await api.get('/v1/ai/usage', patient.token)).status, 403);
    assert.equal((await api.get('/v1/ai/usage')).status, 401);
  });

  it('bad parameters are 400 problems pointing at the field', async () => {
    const ops = await signedInOps(api);
    for (const [query, pointer] of [
      ['groupBy=week', '/groupBy'],
      ['from=yesterday', '/from'],
      ['from=2031-03-05&to=2031-03-01', '/to'],
      ['from=2020-01-01&to=2031-01-01', '/to'],
    ] as const) {
      const res = await api.get(`/v1/ai/usage?${query}`, ops.token);
      assert.equal(res.status, 400, query);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await res.json()) as any).errors[0].pointer, pointer, query);
    }
  });
});
