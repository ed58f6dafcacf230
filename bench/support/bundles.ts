import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../triggers/build.ts';

/** The repository root, the working directory the bundled children run in (migrations are found from it). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundles `entries` (output name → source, relative to the repo root) with the production build (`bundle()` from
 * triggers/build.ts), so what we spawn is what a container runs: `node <name>.mjs`, no TypeScript loader in the
 * way. The folder is inside the repo's node_modules/.cache, so the packages the build leaves out (native addons,
 * PGlite: EXTERNAL_PACKAGES) resolve from the bundle as they do from dist/ in the image.
 *
 * @example
 * const out = await bundleTemp({ server: 'bench/fixtures/bare-server.ts' });
 * spawnTracked(process.execPath, [out.file('server')], env, repoRoot);
 * await out.remove();
 */
export async function bundleTemp(entries: Record<string, string>) {
  const parent = join(repoRoot, 'node_modules', '.cache');
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'consilium-bench-'));
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
