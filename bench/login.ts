import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createScratchDatabase } from '../test/services/database.ts';
import { servicesEnv } from '../test/services/env.ts';
import { childEnv, spawnTracked, stopChild, waitForLine } from './support/children.ts';
import { cpuSeconds } from './support/proc.ts';
import { bundleTemp, repoRoot } from './support/bundles.ts';
import { answers } from './support/net.ts';
import { infoRow, measured, type Row } from './support/report.ts';
import { median } from './support/stats.ts';

/** Load shape, the same for both sides. */
export interface LoginOptions {
  /** Concurrent clients (HTTP connections on our side, verifications in flight on the raw side). */
  concurrency: number;
  /** Seconds per measured run. */
  seconds: number;
  warmupSeconds: number;
  /** Measured runs per side, alternated. */
  rounds: number;
  /** libuv threadpool size, the same for both processes (argon2 runs there). */
  threadpool: number;
}

export const loginDefaults: LoginOptions = { concurrency: 8, seconds: 8, warmupSeconds: 2, rounds: 2, threadpool: 4 };

const PASSWORD = 'a perfectly long passphrase';

/**
 * POST /v1/auth/login per second through the identity function (a bundled child: serveApp, embedded database in a
 * temporary DATA_DIR, in-memory rate-limit store with limits raised out of the way) vs raw `verify` of
 * @node-rs/argon2 per second on a hash with the same parameters, in a child process at the same concurrency and
 * UV_THREADPOOL_SIZE. One pre-registered patient signs in with the right password, so the lockout never engages.
 *
 * @example
 * const rows = await benchLogin(loginDefaults);
 */
export async function benchLogin(options: LoginOptions = loginDefaults): Promise<Row[]> {
  const out = await bundleTemp({ 'login-server': 'bench/fixtures/login-server.ts', 'argon2-verify': 'bench/fixtures/argon2-verify.ts' });
  const dataDir = await mkdtemp(join(tmpdir(), 'consilium-bench-login-'));
  const uv = String(options.threadpool);
  // The production shape when the machine's PostgreSQL answers (a scratch database behind PgBouncer): the database
  // then does not run inside the identity process and take the cores argon2 needs. Else the embedded PGlite.
  const database = (await answers(servicesEnv.DATABASE_URL)) ? await createScratchDatabase('bench') : undefined;
  const server = spawnTracked(
    process.execPath,
    [out.file('login-server')],
    childEnv({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      UV_THREADPOOL_SIZE: uv,
      ...(database ? { DATABASE_URL: database.url } : {}),
    }),
    repoRoot,
  );
  try {
    // The embedded database starts and migrates before the server listens.
    const { port } = JSON.parse(await waitForLine(server, /"msg":"listening"/, 90_000)) as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const email = `bench-login-${Date.now()}@example.org`;
    await register(base, email);
    const body = JSON.stringify({ email, password: PASSWORD });
    await loginOnce(base, body);

    const ours = () => loadLogin(`${base}/v1/auth/login`, body, options.concurrency, options.seconds, server.pid!);
    const raw = (seconds: number, warmup: number) => rawVerify(out.file('argon2-verify'), options.concurrency, seconds, warmup, uv);
    await loadLogin(`${base}/v1/auth/login`, body, options.concurrency, options.warmupSeconds, server.pid!);

    const samples = { ours: [] as Run[], raw: [] as Run[] };
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const);
      for (const side of order) samples[side].push(side === 'ours' ? await ours() : await raw(options.seconds, options.warmupSeconds));
    }
    const best = (side: Run[]) => Math.max(...side.map((r) => r.perSecond));
    const all = (side: Run[]) => side.map((r) => r.perSecond.toFixed(1)).join(', ');
    const cores = availableParallelism();
    const load = `${options.concurrency} concurrent, UV_THREADPOOL_SIZE=${options.threadpool} both sides, ${options.seconds} s x ${options.rounds} alternated runs each, best run`;
    const rows: Row[] = [
      measured('login throughput vs argon2 verify', '/s', best(samples.ours), best(samples.raw), { op: '>=', value: 0.8 }, {
        note: `${load}; all runs ${all(samples.ours)} logins/s vs ${all(samples.raw)} verify/s; ${database ? 'PostgreSQL through PgBouncer' : 'embedded database (PGlite), sharing the cores'}`,
        details: { ...options, cores, samples },
      }),
      measured('login throughput per core', '/s/core', best(samples.ours) / cores, best(samples.raw) / cores, undefined, {
        note: `the row above divided by os.availableParallelism() = ${cores}`,
      }),
    ];
    const cpu = (side: Run[]) => median(side.map((r) => r.cpuMsPerOp));
    rows.push(...infoRow('login CPU per login vs per verify', 'cpu ms', cpu(samples.ours), cpu(samples.raw), "each process's CPU time (all threads) over operations completed, same runs (median)"));
    return rows;
  } finally {
    await stopChild(server, 10_000);
    await out.remove();
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

/** One measured run of one side. */
interface Run {
  perSecond: number;
  count: number;
  /** CPU time of the measured process per operation, NaN where it cannot be read. */
  cpuMsPerOp: number;
}

async function register(base: string, email: string): Promise<void> {
  const res = await fetch(`${base}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, name: 'Ada Lovelace', country: 'GB' }),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
}

async function loginOnce(base: string, body: string): Promise<void> {
  const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.status !== 200 || !text.includes('accessToken')) throw new Error(`login: ${res.status} ${text.slice(0, 300)}`);
}

/** Autocannon POSTs the login; any error or non-2xx answer (a 429 from the limiter or the lockout) fails the run. */
async function loadLogin(url: string, body: string, connections: number, seconds: number, pid: number): Promise<Run> {
  const before = await cpuSeconds(pid);
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds, pipelining: 1, timeout: 30 });
  const after = await cpuSeconds(pid);
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  const count = result.requests.total;
  return { perSecond: result.requests.average, count, cpuMsPerOp: ((after - before) * 1000) / count };
}

/** One run of the raw side in a fresh child; its CPU time is read from /proc just before it exits. */
async function rawVerify(file: string, concurrency: number, seconds: number, warmupSeconds: number, uv: string): Promise<Run> {
  const child = spawnTracked(
    process.execPath,
    [file],
    childEnv({ CONCURRENCY: String(concurrency), SECONDS: String(seconds), WARMUP_SECONDS: String(warmupSeconds), PASSWORD, UV_THREADPOOL_SIZE: uv }),
    repoRoot,
  );
  try {
    const line = await waitForLine(child, /"msg":"verified"/, (seconds + warmupSeconds) * 1000 + 30_000);
    const { count, seconds: elapsed, cpuMs } = JSON.parse(line) as { count: number; seconds: number; cpuMs?: number };
    return { perSecond: count / elapsed, count, cpuMsPerOp: cpuMs === undefined ? Number.NaN : cpuMs / count };
  } finally {
    await stopChild(child);
  }
}
