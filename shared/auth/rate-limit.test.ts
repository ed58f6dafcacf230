import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueName } from '../../test/support/names.ts';
import { config } from '../config/index.ts';
import { createMemoryKv, createUpstashKv, type Kv } from '../kv/index.ts';
import { createRateLimiter } from './rate-limit.ts';

const stores: [string, () => Kv][] = [['memory', () => createMemoryKv()]];
const redis = config().redis;
if (redis) stores.push(['upstash', () => createUpstashKv(redis)]);

for (const [label, makeKv] of stores) {
  describe(`rate limiter on ${label}`, () => {
    it('holds under a burst: exactly `limit` pass, the rest get a Retry-After', async () => {
      const limiter = createRateLimiter(makeKv(), uniqueName('burst'), { limit: 5, windowSeconds: 60 });
      const key = uniqueName('ip');
      const verdicts = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(key)));
      assert.equal(verdicts.filter((v) => v.allowed).length, 5);
      for (const refused of verdicts.filter((v) => !v.allowed)) {
        assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60, `retry after ${refused.retryAfterSeconds}`);
        assert.equal(refused.remaining, 0);
      }
    });

    it('keeps keys apart', async () => {
      const limiter = createRateLimiter(makeKv(), uniqueName('keys'), { limit: 1, windowSeconds: 60 });
      assert.equal((await limiter.hit('a')).allowed, true);
      assert.equal((await limiter.hit('a')).allowed, false);
      assert.equal((await limiter.hit('b')).allowed, true);
    });

    it('lets requests through again when the window ends', async () => {
      const limiter = createRateLimiter(makeKv(), uniqueName('window'), { limit: 2, windowSeconds: 1 });
      const key = uniqueName('ip');
      await limiter.hit(key);
      await limiter.hit(key);
      assert.equal((await limiter.hit(key)).allowed, false);
      await new Promise((r) => setTimeout(r, 2100));
      assert.equal((await limiter.hit(key)).allowed, true);
    });

    it('forgets a key on reset', async () => {
      const limiter = createRateLimiter(makeKv(), uniqueName('reset'), { limit: 1, windowSeconds: 60 });
      const key = uniqueName('acct');
      await limiter.hit(key);
      assert.equal((await limiter.hit(key)).allowed, false);
      await limiter.reset(key);
      assert.equal((await limiter.hit(key)).allowed, true);
    });
  });
}
