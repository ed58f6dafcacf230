import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnServer } from '../test/support/spawn.ts';
import { bundle } from './build.ts';

describe('npm run build', () => {
  it('bundles a function into one file that serves on its own, without PGlite inside', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'consilium-build-'));
    await bundle({ 'functions/slow': 'test/fixtures/slow-function.ts' }, outdir);
    const file = join(outdir, 'functions/slow.mjs');
    const code = await readFile(file, 'utf8');
    assert.doesNotMatch(code, /pglite\.wasm/, 'the embedded database is not bundled');

    const { child, port } = await spawnServer([file], { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const slow = await fetch(`http://127.0.0.1:${port}/v1/slow?ms=1`);
      assert.deepEqual(await slow.json(), { finished: true });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
