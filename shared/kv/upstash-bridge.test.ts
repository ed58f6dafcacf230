import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from '@upstash/redis';
import { redisUrl, servicesEnv } from '../../test/services/env.ts';
import { startUpstashBridge, type UpstashBridge } from '../../test/services/upstash-bridge.ts';
import { deleteKeys } from './upstash-target.ts';

// The bridge is test infrastructure in test/services/; its tests live here, beside its one consumer.
const token = randomUUID();
const bridge: UpstashBridge | string = await startUpstashBridge({ port: 0, token, redisUrl }).catch(
  (error: Error) => `no Redis at ${redisUrl}: ${error.message}`,
);
const skip = typeof bridge === 'string' ? bridge : false;
const url = typeof bridge === 'string' ? '' : bridge.url;
const keyRoot = `bridge-test:${randomUUID()}`;
const key = () => `${keyRoot}:${randomUUID()}`;

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function answer(res: Response | Promise<Response>): Promise<[number, unknown]> {
  const r = await res;
  return [r.status, await r.json()];
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('upstash bridge', { skip, concurrency: true }, () => {
  after(async () => {
    if (typeof bridge === 'string') return;
    await deleteKeys(new Redis({ url, token, enableTelemetry: false }), keyRoot);
    await bridge.close();
  });

  it('answers 401 without the right bearer token, and runs nothing', async () => {
    const k = key();
    for (const path of ['/', '/pipeline', '/multi-exec']) {
      const body = JSON.stringify(path === '/' ? ['SET', k, 'x'] : [['SET', k, 'x']]);
      for (const authorization of [undefined, 'Bearer wrong', token, `Bearer ${token}x`, `bearer  ${token}`]) {
        const res = fetch(`${url}${path}`, { method: 'POST', headers: authorization ? { authorization } : {}, body });
        assert.deepEqual(await answer(res), [401, { error: 'Unauthorized' }], `${path} with ${authorization}`);
      }
    }
    assert.deepEqual(await answer(post('/', ['EXISTS', k])), [200, { result: 0 }]);
  });

  it('runs one command and answers its result as JSON', async () => {
    const k = key();
    assert.deepEqual(await answer(post('/', ['SET', k, 'héllo 🔑', 'EX', 100])), [200, { result: 'OK' }]);
    assert.deepEqual(await answer(post('/', ['GET', k])), [200, { result: 'héllo 🔑' }]);
    assert.deepEqual(await answer(post('/', ['MGET', k, `${k}:missing`])), [200, { result: ['héllo 🔑', null] }]);
    // A loaded machine may take a second between SET and TTL: the expiry must be set, within a few seconds.
    const [status, { result: ttl }] = (await answer(post('/', ['TTL', k]))) as [number, { result: number }];
    assert.equal(status, 200);
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assert.deepEqual(await answer(post('/', ['INCR', `${k}:n`])), [200, { result: 1 }]);
  });

  it('base64-encodes every string in the result when the client sends Upstash-Encoding: base64', async () => {
    const k = key();
    const headers = { 'Upstash-Encoding': 'base64' };
    assert.deepEqual(await answer(post('/', ['SET', k, 'héllo 🔑'], headers)), [200, { result: b64('OK') }]);
    assert.deepEqual(await answer(post('/', ['MGET', k, `${k}:missing`], headers)), [200, { result: [b64('héllo 🔑'), null] }]);
    assert.deepEqual(await answer(post('/', ['INCR', `${k}:n`], headers)), [200, { result: 1 }]);
    assert.deepEqual(await answer(post('/pipeline', [['PING'], ['GET', k]], headers)), [
      200,
      [{ result: b64('PONG') }, { result: b64('héllo 🔑') }],
    ]);
  });

  it('answers a Redis error with 400 and its message', async () => {
    const k = key();
    await post('/', ['SET', k, 'text']);
    const [status, body] = await answer(post('/', ['INCR', k]));
    assert.equal(status, 400);
    assert.match((body as { error: string }).error, /not an integer/);
    assert.equal((await post('/', ['NOSUCHCOMMAND'])).status, 400);
  });

  it('refuses commands that would change or block the shared connection', async () => {
    for (const command of [['SELECT', '1'], ['blpop', key(), '1'], ['SUBSCRIBE', 'c'], ['MULTI']]) {
      const [status, body] = await answer(post('/', command));
      assert.equal(status, 400, String(command));
      assert.match((body as { error: string }).error, /not supported/);
    }
    assert.equal((await post('/pipeline', [['PING'], ['SELECT', '1']])).status, 400);
  });

  it('rejects a body that is not a command', async () => {
    for (const body of ['not json', [], {}, [[]], [{ a: 1 }], ['GET', null]]) {
      assert.equal((await post('/', body)).status, 400, JSON.stringify(body));
    }
    for (const body of [[], ['GET', 'k'], [[]]]) {
      assert.equal((await post('/pipeline', body)).status, 400, JSON.stringify(body));
    }
    assert.equal((await post('/elsewhere', ['PING'])).status, 404);
  });

  it('runs a pipeline in order, each command succeeding or failing on its own', async () => {
    const k = key();
    const commands = [['SET', k, '1'], ['INCR', k], ['HSET', k, 'f', 'v'], ['INCR', k], ['GET', k]];
    assert.deepEqual(await answer(post('/pipeline', commands)), [
      200,
      [
        { result: 'OK' },
        { result: 2 },
        { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
        { result: 3 },
        { result: '3' },
      ],
    ]);
  });

  it('runs multi-exec as one transaction, and nothing of it when a command is rejected while queueing', async () => {
    const k = key();
    assert.deepEqual(await answer(post('/multi-exec', [['SET', k, 'a'], ['INCR', k], ['APPEND', k, 'b']])), [
      200,
      [{ result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { result: 2 }],
    ]);
    const [status, body] = await answer(post('/multi-exec', [['DEL', k], ['SET', k]]));
    assert.equal(status, 400);
    assert.match((body as { error: string }).error, /EXECABORT/);
    assert.deepEqual(await answer(post('/', ['GET', k])), [200, { result: 'ab' }]);
  });

  for (const responseEncoding of ['base64', false] as const) {
    it(`serves the real @upstash/redis client (responseEncoding ${responseEncoding})`, async () => {
      const redis = new Redis({ url, token, responseEncoding, enableTelemetry: false });
      const k = key();
      assert.equal(await redis.ping(), 'PONG');
      assert.equal(await redis.set(k, { name: 'Zoë', tags: ['🔑'] }, { ex: 100 }), 'OK');
      assert.deepEqual(await redis.get(k), { name: 'Zoë', tags: ['🔑'] });
      assert.deepEqual(await redis.mget(k, `${k}:missing`), [{ name: 'Zoë', tags: ['🔑'] }, null]);
      await redis.hset(`${k}:h`, { a: 'x', b: 2 });
      assert.deepEqual(await redis.hgetall(`${k}:h`), { a: 'x', b: 2 });
      const [first, second, ttl] = await redis.pipeline().incr(`${k}:n`).incr(`${k}:n`).ttl(k).exec<[number, number, number]>();
      assert.deepEqual([first, second], [1, 2]);
      assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
      assert.deepEqual(await redis.multi().set(`${k}:m`, 'v', { nx: true }).get(`${k}:m`).exec(), ['OK', 'v']);
      await assert.rejects(redis.incr(k), /not an integer/);
    });
  }

  it('runs as a script: logs when ready, answers, exits 0 on SIGTERM', { timeout: 20_000 }, async () => {
    const script = fileURLToPath(new URL('../../test/services/upstash-bridge.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, UPSTASH_BRIDGE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const url = /ready: (http:\/\/\S+)/.exec(line.toString())?.[1];
      assert.ok(url, `a ready line with the URL: ${line.toString()}`);
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${servicesEnv.UPSTASH_REDIS_REST_TOKEN}` },
        body: '["PING"]',
      });
      assert.deepEqual(await res.json(), { result: 'PONG' });
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
