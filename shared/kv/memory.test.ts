import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createMemoryKv } from './memory.ts';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('memory kv', () => {
  it('expires a key once its deadline is behind it, as Redis does', async () => {
    const clock = manualClock();
    const kv = createMemoryKv({ now: clock.now });
    await kv.set('k', 'v', { ttlSeconds: 10 });
    clock.advance(10_000);
    assert.equal(await kv.get('k'), 'v');
    clock.advance(1);
    assert.equal(await kv.get('k'), null);
    assert.equal(kv.size, 0);
  });

  it('rounds the seconds left to the nearest second, as Redis TTL does', async () => {
    const clock = manualClock();
    const kv = createMemoryKv({ now: clock.now });
    await kv.set('k', 'v', { ttlSeconds: 10 });
    clock.advance(4_400);
    assert.equal(await kv.ttl('k'), 6);
    clock.advance(200);
    assert.equal(await kv.ttl('k'), 5);
  });

  it('sweeps expired keys nobody reads again', async () => {
    const clock = manualClock();
    const kv = createMemoryKv({ now: clock.now, sweepIntervalMs: 5 });
    await kv.set('short', 1, { ttlSeconds: 1 });
    await kv.set('forever', 1);
    clock.advance(1_001);
    await sleep(50);
    assert.equal(kv.size, 1);
  });

  it('keeps at most maxKeys, dropping the least recently used', async () => {
    const kv = createMemoryKv({ maxKeys: 3 });
    await kv.set('a', 1);
    await kv.set('b', 2);
    await kv.set('c', 3);
    await kv.get('a');
    await kv.incr('d');
    assert.equal(kv.size, 3);
    assert.deepEqual(await Promise.all(['a', 'b', 'c', 'd'].map((k) => kv.get(k))), [1, null, 3, 1]);
  });

  it('drops expired keys before live ones when full', async () => {
    const clock = manualClock();
    const kv = createMemoryKv({ maxKeys: 2, now: clock.now });
    await kv.set('live', 1);
    await kv.set('expiring', 2, { ttlSeconds: 1 });
    clock.advance(1_001);
    await kv.set('new', 3);
    assert.deepEqual([await kv.get('live'), await kv.get('new')], [1, 3]);
  });

  it('its sweep timer does not keep the process alive', { timeout: 20_000 }, async () => {
    const script = `
      const { createMemoryKv } = await import(${JSON.stringify(new URL('./memory.ts', import.meta.url).href)});
      await createMemoryKv({ sweepIntervalMs: 60_000 }).set('k', 1, { ttlSeconds: 3600 });
      console.log('stored');`;
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 15_000,
    });
    const { stdout } = await run;
    assert.equal(stdout.trim(), 'stored');
  });

  it('refuses nonsensical limits', () => {
    assert.throws(() => createMemoryKv({ maxKeys: 0 }), RangeError);
    assert.throws(() => createMemoryKv({ sweepIntervalMs: 0 }), RangeError);
  });
});
