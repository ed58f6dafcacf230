import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../triggers/build.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Like {@link import('./bundles.ts').bundleTemp}, but the folder is inside the repo's node_modules/.cache, so the
 * packages the production build leaves out (`@node-rs/argon2`, PGlite: EXTERNAL_PACKAGES in triggers/build.ts)
 * resolve from the bundle as they do from dist/ in the image. Spawn these with `cwd: repoRoot` (migrations are
 * found from the working directory).
 *
 * @example
 * const out = await bundleInRepo({ server: 'bench/fixtures/login-server.ts' });
 * spawnTracked(process.execPath, [out.file('server')], env, repoRoot);
 */
export async function bundleInRepo(entries: Record<string, string>) {
  const parent = join(root, 'node_modules', '.cache');
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

/** The repository root, the working directory the bundled children run in. */
export const repoRoot = root;

const left = new Set<string>();
process.once('exit', () => {
  for (const dir of left) rmSync(dir, { recursive: true, force: true });
});
