import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundle } from './build.ts';

describe('npm run build', () => {
  it('bundles a function into one file that serves on its own, without PGlite inside', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'consilium-build-'));
    await bundle({ 'functions/slow': 'test/fixtures/slow-function.ts' }, outdir);
    const file = join(outdir, 'functions/slow.mjs');
    const code = await readFile(file, 'utf8');
    assert.doesNotMatch(code, /pglite\.wasm/, 'the embedded database is not bundled');

    const child = spawn(process.execPath, [file], {
      env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /"msg":"listening".*?"port":(\d+)/.exec(output);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', (status) => reject(new Error(`bundle exited with ${status}: ${output}`)));
      });
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
