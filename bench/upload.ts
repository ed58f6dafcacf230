import { fileURLToPath } from 'node:url';
import { createScratchDatabase } from '../test/services/database.ts';
import { servicesEnv } from '../test/services/env.ts';
import { answers } from './support/net.ts';
import { runMeasuringChild } from './support/children.ts';
import { infoRow, measured, type Row } from './support/report.ts';
import type { UploadRun } from './fixtures/upload-measure.ts';

export interface UploadOptions {
  uploads: number;
  concurrency: number;
  rounds: number;
  /** Unmeasured runs of each side first (steady state: compiled code, pooled connections, kept plans). */
  warmups: number;
}

export const uploadDefaults: UploadOptions = { uploads: 1000, concurrency: 8, rounds: 3, warmups: 1 };

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Upload intent + complete through the cases API vs the same number of bare presign + HEAD calls made with the AWS
 * SDK on the same bucket (and, for the report, vs the store's own presign + GET that ours makes),
 * in a child process (fixtures/upload-measure.ts): s3rver and PostgreSQL through PgBouncer when they answer, else
 * the embedded defaults (disk store, PGlite).
 *
 * @example
 * const rows = await benchUpload(uploadDefaults);
 */
export async function benchUpload(options: UploadOptions = uploadDefaults): Promise<Row[]> {
  const services = (await answers(servicesEnv.DATABASE_URL)) && (await answers(servicesEnv.S3_ENDPOINT));
  // A database of its own (through the same pooler), so earlier runs' schemas never get in the way.
  const database = services ? await createScratchDatabase('bench') : undefined;
  const env: Record<string, string> = database
    ? { DATABASE_URL: database.url, S3_ENDPOINT: servicesEnv.S3_ENDPOINT, S3_BUCKET: servicesEnv.S3_BUCKET, S3_REGION: servicesEnv.S3_REGION, S3_ACCESS_KEY_ID: servicesEnv.S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: servicesEnv.S3_SECRET_ACCESS_KEY }
    : { DATA_DIR: `${root}/node_modules/.cache/bench-upload` };
  try {
    const { result } = await runMeasuringChild<{ result: { uploads: number; concurrency: number; bytes: number; store: string; database: string; runs: { ours: UploadRun[]; bare: UploadRun[]; storeCalls: UploadRun[] } } }>(
      fileURLToPath(new URL('fixtures/upload-measure.ts', import.meta.url)),
      {
        ...env,
        LOG_LEVEL: 'warn',
        MIGRATIONS_ROOT: root,
        BENCH_UPLOADS: String(options.uploads),
        BENCH_CONCURRENCY: String(options.concurrency),
        BENCH_ROUNDS: String(options.rounds),
        BENCH_WARMUPS: String(options.warmups),
      },
      root,
    );
    const best = (runs: UploadRun[]) => Math.max(...runs.map((r) => r.perSecond));
    const all = (runs: UploadRun[]) => runs.map((r) => r.perSecond.toFixed(1)).join(', ');
    // Each round runs both sides back to back: their ratio within a round is the least disturbed by the machine.
    const paired = result.runs.ours.map((r, i) => (r.perSecond / result.runs.bare[i]!.perSecond).toFixed(2)).join(', ');
    return [
      measured('upload intent + complete vs presign + HEAD', 'uploads/s', best(result.runs.ours), best(result.runs.bare), { op: '>=', value: 0.5 }, {
        note: `${result.uploads} uploads of ${result.bytes / 1024} KiB, ${result.concurrency} concurrent, ${result.store} store, ${result.database} database; best of ${all(result.runs.ours)} vs ${all(result.runs.bare)} (round by round ${paired}); the client's PUT is not timed on either side`,
        details: result,
      }),
      // How much of ours is the store's own S3 work (presign with the SHA-256, GET of the bytes) and how much is ours.
      ...infoRow('upload intent + complete vs its store calls alone', 'uploads/s', best(result.runs.ours), best(result.runs.storeCalls), `the store's presign + GET, ${all(result.runs.storeCalls)}`),
    ];
  } finally {
    await database?.drop();
  }
}
