/**
 * `npm test`: every `*.test.ts` once on the embedded defaults (one shared in-memory PGlite, in-process events,
 * blobs on disk, memory kv) and once more against the real services (PostgreSQL through PgBouncer in transaction
 * mode, NATS JetStream, s3rver, Redis behind the Upstash REST bridge) when they answer. On CI (`CI=true`) the
 * services must answer. Extra arguments narrow the files: `npm test -- shared/bus`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../shared/db/embedded.ts';
import { discoverMigrations, migrate } from '../shared/db/migrate.ts';
import { createScratchDatabase } from './services/database.ts';
import { servicesEnv } from './services/env.ts';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = (await findTests(root)).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) throw new Error(`no test files match ${filters.join(' ')}`);

const totals = { pass: 0, fail: 0, skipped: 0 };
const scratch = await mkdtemp(join(tmpdir(), 'consilium-test-'));
const baseEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', DATA_DIR: join(scratch, 'data') };
for (const name of Object.keys(servicesEnv)) delete baseEnv[name];

const embedded = await startEmbeddedPostgres();
try {
  await prepareDatabase(embedded.url);
  await runProfile('embedded', { ...baseEnv, DATABASE_URL: embedded.url, CONSILIUM_TEST_PROFILE: 'embedded' });
} finally {
  await embedded.stop();
}

const missing = await unreachableServices();
if (missing.length === 0) {
  // A database of its own for this run (through the same pooler), so a run never inherits another's schema.
  const database = await createScratchDatabase('run');
  try {
    await prepareDatabase(database.url);
    await runProfile('services', { ...baseEnv, ...servicesEnv, DATABASE_URL: database.url, CONSILIUM_TEST_PROFILE: 'services' });
  } finally {
    await database.drop();
  }
} else if (process.env.CI) {
  console.error(`\nservices profile: not reachable: ${missing.join(', ')} (run test/services/start.sh)`);
  totals.fail++;
} else {
  console.log(`\nservices profile skipped: not reachable: ${missing.join(', ')} (bash test/services/start.sh starts them)`);
}
await rm(scratch, { recursive: true, force: true });

console.log(`\ntotal: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(totals.fail === 0 ? 0 : 1);

async function runProfile(name: string, env: NodeJS.ProcessEnv): Promise<void> {
  console.log(`\n=== ${name} profile: ${files.length} files ===`);
  const tap = join(scratch, `${name}.tap`);
  const code = await new Promise<number>((done) => {
    const child = spawn(
      process.execPath,
      [
        '--import', 'tsx',
        '--test',
        '--test-concurrency=2',
        '--test-timeout=120000',
        '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=tap', `--test-reporter-destination=${tap}`,
        ...files,
      ],
      { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('exit', (status) => done(status ?? 1));
  });
  const summary = await readFile(tap, 'utf8').catch(() => '');
  const count = (label: string) => Number([...summary.matchAll(new RegExp(`^# ${label} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  totals.pass += count('pass');
  totals.skipped += count('skipped');
  totals.fail += count('fail') + (code !== 0 && count('fail') === 0 ? 1 : 0);
}

/** Migrations run once per profile before the suites, as `npm start` and the deploy Job do. */
async function prepareDatabase(url: string): Promise<void> {
  const sql = postgres(url, { prepare: false, max: 1, onnotice: () => {} });
  try {
    await migrate(sql as never, await discoverMigrations());
  } finally {
    await sql.end();
  }
}

async function unreachableServices(): Promise<string[]> {
  const targets = {
    'PgBouncer (DATABASE_URL)': servicesEnv.DATABASE_URL,
    'NATS (NATS_URL)': servicesEnv.NATS_URL,
    's3rver (S3_ENDPOINT)': servicesEnv.S3_ENDPOINT,
    'Upstash bridge (UPSTASH_REDIS_REST_URL)': servicesEnv.UPSTASH_REDIS_REST_URL,
  };
  const results = await Promise.all(
    Object.entries(targets).map(async ([label, url]) => ((await answers(new URL(url))) ? [] : [label])),
  );
  return results.flat();
}

function answers(url: URL): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
    socket.once('timeout', () => (socket.destroy(), done(false)));
  });
}

async function findTests(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findTests(path)));
    else if (entry.name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}
