import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueName } from '../../test/support/names.ts';
import { config } from '../../shared/config/index.ts';
import { createMemoryKv, createUpstashKv, type Kv } from '../../shared/kv/index.ts';
import { accountKey, createLockout } from './limits.ts';

const stores: [string, () => Kv][] = [['memory', () => createMemoryKv()]];
const redis = config().redis;
if (redis) stores.push(['upstash', () => createUpstashKv(redis)]);

for (const [label, makeKv] of stores) {
  describe(`lockout on ${label}`, () => {
    it('slows an account down progressively after the threshold, and a success forgets', async () => {
      const lockout = createLockout(makeKv(), 3, 60);
      const key = uniqueName('acct');
      const locks = [];
      for (let i = 0; i < 6; i++) locks.push((await lockout.failed(key)).lockedForSeconds);
      assert.deepEqual(locks, [0, 0, 2, 4, 8, 16]);
      const wait = await lockout.retryAfter(key);
      assert.ok(wait > 8 && wait <= 16, `retry after ${wait}`);
      await lockout.succeeded(key);
      assert.equal((await lockout.failed(key)).lockedForSeconds, 0);
    });

    it('caps the slow-down', async () => {
      const lockout = createLockout(makeKv(), 1, 5);
      const key = uniqueName('acct');
      for (let i = 0; i < 10; i++) await lockout.failed(key);
      assert.ok((await lockout.retryAfter(key)) <= 5);
    });
  });
}

describe('accountKey', () => {
  it('is the same for any case and reveals no e-mail', () => {
    assert.equal(accountKey(' Ada@Example.org'), accountKey('ada@example.org'));
    assert.doesNotMatch(accountKey('ada@example.org'), /ada|example/);
  });
});
