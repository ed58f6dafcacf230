import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kv } from './kv.ts';

/** Long enough for a 1-second TTL to have passed on Redis, which expires a key once its millisecond deadline is behind it. */
const PAST_ONE_SECOND = 1_150;

/**
 * The behaviour every {@link Kv} adapter shares, as one suite run once per adapter. Each test works under its own
 * random key prefix under `keyRoot`, so the suite can run concurrently with itself and with others against one Redis,
 * and the caller can delete what it wrote by that root.
 *
 * @example
 * kvContract('memory', () => createMemoryKv());
 */
export function kvContract(name: string, open: () => Kv | Promise<Kv>, keyRoot = 'kv-test'): void {
  describe(`Kv contract: ${name}`, { concurrency: true }, () => {
    let kv: Kv;
    before(async () => {
      kv = await open();
    });
    const prefix = () => `${keyRoot}:${randomUUID()}`;

    it('returns null for a missing key', async () => {
      assert.equal(await kv.get(`${prefix()}:missing`), null);
    });

    it('round-trips every JSON value unchanged, including strings that look like other JSON', async () => {
      const p = prefix();
      const values: unknown[] = [
        { patient: { age: 41, tags: ['a', 'b'] }, urgent: false, note: null },
        [1, 'two', null, true, { three: 3 }],
        0,
        -12.5,
        1e21,
        true,
        false,
        null,
        '',
        'plain text',
        '123',
        '1e3',
        'true',
        'null',
        '{"a":1}',
        '"quoted"',
        'ünïcödé 🔑 "quotes" \\ back\nline',
      ];
      await Promise.all(values.map((value, i) => kv.set(`${p}:${i}`, value)));
      const read = await Promise.all(values.map((_, i) => kv.get(`${p}:${i}`)));
      assert.deepEqual(read, values);
    });

    it('stores a JSON copy: dates become ISO strings, undefined fields vanish, later mutation does not leak', async () => {
      const key = `${prefix()}:copy`;
      const value = { at: new Date('2026-01-02T03:04:05.000Z'), gone: undefined, list: [1] };
      await kv.set(key, value);
      value.list.push(2);
      const first = await kv.get<{ list: number[] }>(key);
      assert.deepEqual(first, { at: '2026-01-02T03:04:05.000Z', list: [1] });
      first!.list.push(3);
      assert.deepEqual(await kv.get(key), { at: '2026-01-02T03:04:05.000Z', list: [1] });
    });

    it('refuses values JSON cannot hold and writes nothing', async () => {
      const key = `${prefix()}:bad`;
      for (const value of [undefined, () => 1, Symbol('s'), 10n]) {
        await assert.rejects(kv.set(key, value), TypeError);
      }
      assert.equal(await kv.get(key), null);
    });

    it('set overwrites and reports true', async () => {
      const key = `${prefix()}:over`;
      assert.equal(await kv.set(key, 'first'), true);
      assert.equal(await kv.set(key, { second: 2 }), true);
      assert.deepEqual(await kv.get(key), { second: 2 });
    });

    it('onlyIfAbsent writes only when the key is missing, keeping the existing value and TTL', async () => {
      const key = `${prefix()}:nx`;
      assert.equal(await kv.set(key, 'first', { onlyIfAbsent: true, ttlSeconds: 100 }), true);
      assert.equal(await kv.set(key, 'second', { onlyIfAbsent: true }), false);
      assert.equal(await kv.get(key), 'first');
      assert.ok((await kv.ttl(key)) >= 90, 'a TTL of about 100 s');
    });

    it('onlyIfAbsent has exactly one winner among concurrent writers', async () => {
      const key = `${prefix()}:race`;
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => kv.set(key, i, { onlyIfAbsent: true }).then((won) => ({ i, won }))),
      );
      const winners = outcomes.filter((o) => o.won);
      assert.equal(winners.length, 1);
      assert.equal(await kv.get(key), winners[0]!.i);
    });

    it('a value with ttlSeconds disappears after it, and its key can then be claimed again', async () => {
      const key = `${prefix()}:ttl`;
      await kv.set(key, 'short', { ttlSeconds: 1 });
      assert.equal(await kv.get(key), 'short');
      await sleep(PAST_ONE_SECOND);
      assert.equal(await kv.get(key), null);
      assert.equal(await kv.ttl(key), -2);
      assert.equal(await kv.set(key, 'again', { onlyIfAbsent: true }), true);
    });

    it('ttl is -2 for a missing key, -1 without expiry, and the seconds left otherwise', async () => {
      const p = prefix();
      await kv.set(`${p}:forever`, 1);
      await kv.set(`${p}:later`, 1, { ttlSeconds: 100 });
      assert.equal(await kv.ttl(`${p}:missing`), -2);
      assert.equal(await kv.ttl(`${p}:forever`), -1);
      const left = await kv.ttl(`${p}:later`);
      assert.ok(left > 90 && left <= 100, `ttl ${left}`);
    });

    it('a plain set removes an earlier TTL, as Redis SET does', async () => {
      const key = `${prefix()}:persist`;
      await kv.set(key, 1, { ttlSeconds: 100 });
      await kv.set(key, 2);
      assert.equal(await kv.ttl(key), -1);
    });

    it('del removes only its key and ignores a missing one', async () => {
      const p = prefix();
      await kv.set(`${p}:a`, 'a');
      await kv.set(`${p}:b`, 'b');
      await kv.del(`${p}:a`);
      await kv.del(`${p}:never`);
      assert.equal(await kv.get(`${p}:a`), null);
      assert.equal(await kv.ttl(`${p}:a`), -2);
      assert.equal(await kv.get(`${p}:b`), 'b');
    });

    it('incr creates a counter at 1, counts up, and reads back as a number', async () => {
      const key = `${prefix()}:count`;
      assert.deepEqual([await kv.incr(key), await kv.incr(key), await kv.incr(key)], [1, 2, 3]);
      assert.equal(await kv.get(key), 3);
      assert.equal(await kv.ttl(key), -1);
    });

    it('incr gives the TTL only when it creates the counter', async () => {
      const p = prefix();
      assert.equal(await kv.incr(`${p}:window`, { ttlSeconds: 100 }), 1);
      assert.equal(await kv.incr(`${p}:window`, { ttlSeconds: 5 }), 2);
      assert.equal(await kv.incr(`${p}:window`), 3);
      assert.ok((await kv.ttl(`${p}:window`)) >= 90, 'a TTL of about 100 s');

      await kv.incr(`${p}:plain`);
      await kv.incr(`${p}:plain`, { ttlSeconds: 100 });
      assert.equal(await kv.ttl(`${p}:plain`), -1);
    });

    it('a fixed window restarts from 1 once its TTL has passed', async () => {
      const key = `${prefix()}:fixed`;
      await kv.incr(key, { ttlSeconds: 1 });
      assert.equal(await kv.incr(key, { ttlSeconds: 1 }), 2);
      await sleep(PAST_ONE_SECOND);
      assert.equal(await kv.incr(key, { ttlSeconds: 1 }), 1);
      assert.ok([0, 1].includes(await kv.ttl(key)), 'the new window has its own expiry');
    });

    it('incr continues an integer stored with set and keeps its TTL', async () => {
      const key = `${prefix()}:stored`;
      await kv.set(key, 41, { ttlSeconds: 100 });
      assert.equal(await kv.incr(key, { ttlSeconds: 5 }), 42);
      assert.equal(await kv.get(key), 42);
      assert.ok((await kv.ttl(key)) >= 90, 'a TTL of about 100 s');
    });

    it('incr rejects a value that is not an integer and leaves it as it was', async () => {
      const p = prefix();
      const values = ['abc', 5.5, '5', { n: 1 }];
      for (const [i, value] of values.entries()) {
        await kv.set(`${p}:${i}`, value);
        await assert.rejects(kv.incr(`${p}:${i}`), /not an integer/);
        await assert.rejects(kv.incr(`${p}:${i}`, { ttlSeconds: 10 }), /not an integer/);
        assert.deepEqual(await kv.get(`${p}:${i}`), value);
      }
    });

    it('incr works up to the 64-bit range and rejects a value beyond it', async () => {
      const p = prefix();
      await kv.set(`${p}:big`, 2 ** 62);
      assert.equal(await kv.incr(`${p}:big`), 2 ** 62 + 1);
      // Beyond 2^53 the count no longer fits a number, so @upstash/redis hands the digits back as a string.
      assert.equal(await kv.get(`${p}:big`), '4611686018427388001');
      await kv.set(`${p}:beyond`, 2 ** 63);
      await assert.rejects(kv.incr(`${p}:beyond`), /not an integer or out of range/);
    });

    it('concurrent incr never loses or repeats a count', async () => {
      const key = `${prefix()}:burst`;
      const counts = await Promise.all(Array.from({ length: 25 }, () => kv.incr(key, { ttlSeconds: 60 })));
      assert.deepEqual(
        counts.sort((a, b) => a - b),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
    });

    it('rejects a TTL Redis would refuse, before writing anything', async () => {
      const key = `${prefix()}:badttl`;
      for (const ttlSeconds of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(kv.set(key, 1, { ttlSeconds }), RangeError);
        await assert.rejects(kv.incr(key, { ttlSeconds }), RangeError);
      }
      assert.equal(await kv.ttl(key), -2);
    });

    it('keys may hold any text', async () => {
      const key = `${prefix()}:ключ 🔑 "x" \\ y`;
      await kv.set(key, 'v', { ttlSeconds: 100 });
      assert.equal(await kv.get(key), 'v');
      assert.ok((await kv.ttl(key)) >= 90, 'a TTL of about 100 s');
      await kv.del(key);
      assert.equal(await kv.get(key), null);
    });

    it('check resolves while the store is reachable', async () => {
      await kv.check();
    });
  });
}
