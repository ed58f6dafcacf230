/**
 * `npm run build`: one ES module per deployable, for the container image — `dist/functions/<name>.mjs` for every
 * function the triggers declare, `dist/bus-worker.mjs` and `dist/migrate.mjs` — plus the chunks they share and load
 * lazily (`dist/chunks/`).
 * PGlite stays out (bundles run against a real database; the embedded one is loaded only when none is set), and so
 * do native addons (see {@link EXTERNAL_PACKAGES}).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { declaredFunctionNames } from './registry.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packages left out of the bundles and shipped beside them in node_modules (the Dockerfile copies them): PGlite,
 * which production never loads, and native addons esbuild cannot inline.
 */
export const EXTERNAL_PACKAGES = [
  '@electric-sql/pglite',
  '@electric-sql/pglite-socket',
  '@node-rs/argon2',
  // documents: pdf.js loads its worker and fonts from its own package, tesseract.js its worker script and language
  // data, and the canvas is a native addon; bundled, none of them can find their files.
  'pdfjs-dist',
  'tesseract.js',
  '@napi-rs/canvas',
];

/** Bundles `entries` (output name → source file, relative to the repo root) into `outdir`. */
export async function bundle(entries: Record<string, string>, outdir = `${root}/dist`): Promise<void> {
  await build({
    entryPoints: Object.entries(entries).map(([out, input]) => ({ out, in: `${root}/${input}` })),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    // What is only imported dynamically (the telemetry SDK and exporter, PGlite's loader) lands in shared chunks that
    // a function loads after it listens, so a cold start parses a third of the code.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    sourcemap: 'linked',
    external: EXTERNAL_PACKAGES,
    // Some dependencies are CommonJS and call require(); give the ES module bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entries: Record<string, string> = {
    'bus-worker': 'triggers/worker/main.ts',
    migrate: 'shared/db/migrate-cli.ts',
  };
  for (const name of declaredFunctionNames()) entries[`functions/${name}`] = `functions/${name}/main.ts`;
  await bundle(entries);
  console.log(`built ${Object.keys(entries).map((e) => `dist/${e}.mjs`).join(', ')}`);
}
