import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../../triggers/build.ts';

/**
 * Bundles `entries` (output name → source, relative to the repo root) with the production build (`bundle()` from
 * triggers/build.ts) into a fresh temporary folder, so what we spawn is what a container runs: `node <name>.mjs`,
 * no TypeScript loader in the way.
 *
 * @example
 * const out = await bundleTemp({ server: 'bench/fixtures/bare-server.ts' });
 * spawn(process.execPath, [out.file('server')]);
 * await out.remove();
 */
export async function bundleTemp(entries: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'consilium-bench-'));
  left.add(dir);
  await bundle(entries, dir);
  return {
    dir,
    file: (name: string) => join(dir, `${name}.mjs`),
    async remove() {
      left.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const left = new Set<string>();
// A run stopped half-way (an error, a signal handled in run.ts) still removes its bundles; only sync work fits here.
process.once('exit', () => {
  for (const dir of left) rmSync(dir, { recursive: true, force: true });
});
