import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** What a function's code reaches besides PostgreSQL, NATS-free HTTP and telemetry (which every function has). */
export interface FunctionUsage {
  /** Imports shared/blob: needs object storage. */
  objectStorage: boolean;
  /** Imports shared/kv (directly or through e.g. rate limits): needs the Redis bridge. */
  redis: boolean;
  /** Calls out of the cluster (payment and AI providers, signing services): needs external HTTPS. */
  external: boolean;
}

const EXTERNAL = /(?<![.\w])fetch\(|\?\? fetch\b|from 'stripe'|from '@adyen\/api-library'/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' || entry === 'migrations' ? [] : sources(path);
    return /\.ts$/.test(entry) && !/\.test\.ts$|testing\.ts$/.test(entry) ? [path] : [];
  });
}

/**
 * Follows a function's relative imports (its own files, then whatever of shared/ and events/ they reach) and reports
 * which data services it uses, so its NetworkPolicy allows exactly those. A function folder that does not exist
 * (test fixtures) is assumed to use everything.
 *
 * @example
 * functionUsage('documents'); // { objectStorage: true, redis: false, external: true }
 */
export function functionUsage(fn: string, root = ROOT): FunctionUsage {
  const dir = join(root, 'functions', fn);
  if (!existsSync(dir)) return { objectStorage: true, redis: true, external: true };
  const seen = new Set<string>();
  const queue = sources(dir);
  const usage: FunctionUsage = { objectStorage: false, redis: false, external: false };
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const rel = relative(root, file);
    if (rel.startsWith('shared/blob/')) usage.objectStorage = true;
    if (rel.startsWith('shared/kv/')) usage.redis = true;
    const text = readFileSync(file, 'utf8');
    // Only the function's own code counts as calling out: shared/ fetches internal addresses (JWKS, functions).
    if (rel.startsWith(`functions/${fn}/`) && EXTERNAL.test(text)) usage.external = true;
    for (const [, spec] of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+\.ts)'/g)) queue.push(resolve(dirname(file), spec!));
  }
  return usage;
}
