import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { toBinaryHttp, type CloudEvent } from '../../events/envelope.ts';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { onError } from '../../shared/http/errors.ts';
import { uniqueName } from '../../test/support/names.ts';
import { BRIDGE_CONSUMER, brokerDeliver, routeDeliveries, tokenFile } from './broker.ts';
import { consumerOf, deadLetterRoutes } from './dead-letters.ts';
import { busMetricsRoutes } from './metrics.ts';
import { jetStreamSubscriptions } from './subscriptions.ts';

after(() => closeDb());

const secret = 'w'.repeat(40);

function event(type = 'case.submitted.v1'): CloudEvent {
  return { specversion: '1.0', id: randomUUID(), source: uniqueName('src'), type, time: new Date().toISOString(), datacontenttype: 'application/json', data: { caseId: 'c-1' } };
}

/** A stand-in for the Broker's ingress: records what arrives, answers with the status asked for. */
async function fakeBroker(status: number) {
  const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/consilium/default`, received, close: () => server.close() };
}

describe('JetStream → Broker bridge', () => {
  it('posts each event to the Broker ingress as a binary CloudEvent with the projected token', async () => {
    const broker = await fakeBroker(202);
    const dir = await mkdtemp(join(tmpdir(), 'token-'));
    try {
      await writeFile(join(dir, 'token'), 'projected-token\n');
      const deliver = brokerDeliver({ url: broker.url, token: tokenFile(join(dir, 'token')) });
      const e = event();
      assert.deepEqual(await deliver(BRIDGE_CONSUMER, e), { ok: true });
      const [got] = broker.received;
      assert.equal(got!.url, '/consilium/default');
      assert.equal(got!.headers['ce-id'], e.id);
      assert.equal(got!.headers['ce-type'], 'case.submitted.v1');
      assert.equal(got!.headers.authorization, 'Bearer projected-token');
      assert.deepEqual(JSON.parse(got!.body), e.data);
    } finally {
      broker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('retries what the Broker refuses for now, parks what it rejects', async () => {
    for (const [status, permanent] of [[503, false], [429, false], [400, true]] as const) {
      const broker = await fakeBroker(status);
      try {
        const outcome = await brokerDeliver({ url: broker.url })(BRIDGE_CONSUMER, event());
        assert.equal(outcome.ok, false);
        assert.equal(!outcome.ok && outcome.permanent, permanent, `HTTP ${status}`);
      } finally {
        broker.close();
      }
    }
  });

  it('sends bridge rows to the Broker and every other consumer (replays) straight to its function', async () => {
    const seen: string[] = [];
    const deliver = routeDeliveries(
      async () => (seen.push('broker'), { ok: true }),
      async (consumer) => (seen.push(consumer), { ok: true }),
    );
    await deliver(BRIDGE_CONSUMER, event());
    await deliver('matching', event());
    assert.deepEqual(seen, ['broker', 'matching']);
  });

  it('subscribes once for every declared type when bridging, per function otherwise', () => {
    const triggers = [
      { event: 'case.submitted.v1', function: 'ai' },
      { event: 'case.submitted.v1', function: 'payments' },
      { event: 'case.triaged.v1', function: 'matching' },
    ];
    assert.deepEqual(jetStreamSubscriptions(true, triggers), [{ consumer: 'broker', types: ['case.submitted.v1', 'case.triaged.v1'] }]);
    assert.deepEqual(jetStreamSubscriptions(false, triggers).map((s) => s.consumer), ['ai', 'matching', 'payments']);
  });
});

describe('dead letters from Knative', () => {
  function app() {
    const a = new Hono();
    a.onError(onError);
    a.route('/', deadLetterRoutes({ sql: db, secret: () => secret, attempts: 5 }));
    a.route('/', busMetricsRoutes(db));
    return a;
  }
  async function post(e: CloudEvent, token?: string, destination = 'http://matching.consilium.svc.cluster.local/_events') {
    const { headers, body } = toBinaryHttp(e);
    return app().request('/_dead-letters', {
      method: 'POST',
      headers: {
        ...headers,
        'ce-knativeerrordest': destination,
        'ce-knativeerrorcode': '500',
        'ce-knativeerrordata': Buffer.from('boom').toString('base64'),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
  }

  it('parks the event under the function it was for, once, and counts it in /metrics', async () => {
    const e = event();
    const consumer = uniqueName('fn');
    const token = await signPlatformToken(secret, 'bus-worker');
    const destination = `http://${consumer}.consilium.svc.cluster.local/_events`;
    assert.equal((await post(e, token, destination)).status, 202);
    assert.equal((await post(e, token, destination)).status, 202, 'a redelivered dead letter is accepted');
    const rows = await db()<{ consumer: string; lastError: string; attempts: number }[]>`
      select consumer, last_error, attempts from bus.dead_letters where event_id = ${e.id}`;
    assert.equal(rows.length, 1, 'parked once');
    assert.equal(rows[0]!.consumer, consumer);
    assert.match(rows[0]!.lastError, /HTTP 500: boom/);
    assert.equal(rows[0]!.attempts, 5);
    const metrics = await (await app().request('/metrics')).text();
    assert.match(metrics, new RegExp(`consilium_bus_dead_letters\\{consumer="${consumer}"\\} 1\\n`));
    assert.match(metrics, /^consilium_bus_outbox_pending \d+$/m);
  });

  it('refuses callers without a platform or cluster token, and bodies that are not CloudEvents', async () => {
    assert.equal((await post(event())).status, 401);
    assert.equal((await post(event(), await signPlatformToken(secret, 'matching'))).status, 401, 'a token for a function is not one for the worker');
    const res = await app().request('/_dead-letters', {
      method: 'POST',
      headers: { authorization: `Bearer ${await signPlatformToken(secret, 'bus-worker')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 400);
  });

  it('reads the function from the destination Knative gave up on', () => {
    assert.equal(consumerOf('http://matching.consilium.svc.cluster.local/_events'), 'matching');
    assert.equal(consumerOf(undefined), BRIDGE_CONSUMER);
    assert.equal(consumerOf('not a url'), BRIDGE_CONSUMER);
  });
});
