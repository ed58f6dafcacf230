import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../config/index.ts';
import { createKv, createMemoryKv, createUpstashKv, upstashClient } from './index.ts';
import { kvContract } from './kv.contract.ts';
import { deleteKeys, upstashTarget } from './upstash-target.ts';

kvContract('memory', () => createMemoryKv());

const target = await upstashTarget();

if (typeof target === 'string') {
  describe('Kv contract: upstash', { skip: target }, () => {});
} else {
  const upstash = createUpstashKv({ url: target.url, token: target.token });
  const keyRoot = `kv-test:${randomUUID()}`;
  after(async () => {
    await deleteKeys(upstashClient(upstash)!, keyRoot);
    await target.close();
  });
  kvContract(`upstash (${target.url})`, () => upstash, keyRoot);

  describe('upstash adapter', () => {
    it('exposes the @upstash/redis client it uses, which sees the same data', async () => {
      const redis = upstashClient(upstash);
      assert.ok(redis);
      assert.equal(await redis.ping(), 'PONG');
      const key = `${keyRoot}:shared`;
      await upstash.set(key, { via: 'kv' });
      assert.deepEqual(await redis.get(key), { via: 'kv' });
      await redis.set(key, { via: 'redis' });
      assert.deepEqual(await upstash.get(key), { via: 'redis' });
    });

    it('check rejects a wrong token', async () => {
      const kv = createUpstashKv({ url: target.url, token: 'not-the-token', retry: false });
      await assert.rejects(kv.check(), /unauthori[sz]ed|WRONGPASS|invalid/i);
    });
  });
}

describe('createKv', () => {
  it('builds the Upstash adapter when the configuration names Redis', () => {
    const config = loadConfig({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:8079', UPSTASH_REDIS_REST_TOKEN: 't' });
    assert.ok(upstashClient(createKv(config)));
  });

  it('builds the memory adapter otherwise', async () => {
    const kv = createKv(loadConfig({}));
    assert.equal(upstashClient(kv), undefined);
    assert.ok('size' in kv);
  });

  it('check rejects an endpoint nothing listens on', async () => {
    const url = await closedPortUrl();
    const kv = createUpstashKv({ url, token: 't', retry: false });
    await assert.rejects(kv.check());
  });
});

/** A URL nothing listens on: a port the OS just handed out and took back. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
