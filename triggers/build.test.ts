import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { spawnServer } from '../test/support/spawn.ts';
import { bundle } from './build.ts';
import { declaredFunctionNames } from './registry.ts';

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

  it('bundles every declared function, each starting alone and answering its probes', async () => {
    // Inside the repo, so the external packages resolve from node_modules as they do from the image's.
    const cache = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
    await mkdir(cache, { recursive: true });
    const outdir = await mkdtemp(join(cache, 'consilium-build-'));
    try {
      const names = declaredFunctionNames();
      await bundle(Object.fromEntries(names.map((name) => [`functions/${name}`, `functions/${name}/main.ts`])), outdir);
      for (const name of names) {
        const { child, port } = await spawnServer([join(outdir, `functions/${name}.mjs`)], {
          PATH: process.env.PATH,
          DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        });
        try {
          assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, `${name} is alive`);
          assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 503, `${name} is not ready without its database`);
        } finally {
          child.kill('SIGTERM');
          await once(child, 'exit');
        }
      }
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
