import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loop } from './loop.ts';

describe('background loops', () => {
  it('run again at once when woken during a pass, instead of sleeping through the wake', async () => {
    let passes = 0;
    let release: (() => void) | undefined;
    const firstPass = new Promise<void>((resolve) => (release = resolve));
    const running = loop(
      'test',
      async () => {
        passes++;
        if (passes === 1) await firstPass; // the wake arrives while this pass is still looking
        return 0;
      },
      60_000,
    );
    try {
      await new Promise((r) => setTimeout(r, 10));
      running.wake();
      release!();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(passes, 2, 'a second pass ran without waiting for the 60 s poll');
    } finally {
      await running.stop();
    }
  });

  it('keep going after a failing pass, and stop promptly', async () => {
    let passes = 0;
    const running = loop('failing', async () => {
      passes++;
      throw new Error('transient');
    }, 5);
    await new Promise((r) => setTimeout(r, 60));
    const started = Date.now();
    await running.stop();
    assert.ok(passes > 2);
    assert.ok(Date.now() - started < 100);
  });
});
