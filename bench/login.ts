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
import { corePinning, type Pinning } from './support/pinning.ts';
import { infoRow, measured, type Row } from './support/report.ts';
import { median } from './support/stats.ts';

/** Load shape, the same for both sides. */
export interface LoginOptions {
  /** Concurrent clients (HTTP connections on our side, verifications in flight on the raw side). */
  concurrency: number;
  /** Seconds per measured run. */
  seconds: number;
  /** Seconds of load before measuring ours: until V8 has compiled the hot paths (see the README). */
  warmupSeconds: number;
  /** Measured runs per side in the per-core pass, alternated. */
  rounds: number;
  /** libuv threadpool size of both processes in the whole-machine pass (argon2 runs there). */
  threadpool: number;
}

export const loginDefaults: LoginOptions = { concurrency: 8, seconds: 8, warmupSeconds: 20, rounds: 2, threadpool: 4 };

const PASSWORD = 'a perfectly long passphrase';

/**
 * POST /v1/auth/login per second through the identity function (a bundled child: serveApp, a scratch PostgreSQL
 * database behind PgBouncer when it answers, else embedded PGlite; in-memory rate-limit store with limits raised
 * out of the way) vs raw `verify` of @node-rs/argon2 per second on a hash with the same parameters, at the same
 * concurrency. One pre-registered patient signs in with the right password, so the lockout never engages.
 *
 * Two passes. Per core (the target): each side alone on one CPU (`taskset`), UV_THREADPOOL_SIZE=1 on both, while
 * the load generator runs on the other CPU(s) — PostgreSQL and PgBouncer are separate services in production and
 * here float to the idle side. Whole machine (reported): both unpinned with `threadpool` threads, where the
 * database, the pooler and the load generator take their share of the same cores.
 *
 * @example
 * const rows = await benchLogin(loginDefaults);
 */
export async function benchLogin(options: LoginOptions = loginDefaults): Promise<Row[]> {
  const out = await bundleTemp({ 'login-server': 'bench/fixtures/login-server.ts', 'argon2-verify': 'bench/fixtures/argon2-verify.ts' });
  const database = (await answers(servicesEnv.DATABASE_URL)) ? await createScratchDatabase('bench') : undefined;
  const where = database ? 'PostgreSQL through PgBouncer' : 'embedded database (PGlite), inside the identity process';
  const pin = corePinning();
  const cores = availableParallelism();
  try {
    const rows: Row[] = [];
    if (pin) {
      const perCore = await comparePass(out, database?.url, options, { pin, threadpool: 1, rounds: options.rounds });
      const load = `one CPU each (taskset -c ${pin.measured}; load generator on ${pin.rest}), UV_THREADPOOL_SIZE=1 both sides, ${options.concurrency} concurrent, ${options.warmupSeconds} s warm-up, ${options.seconds} s x ${options.rounds} alternated runs each, best run`;
      rows.push(
        measured('login per core vs argon2 verify per core', '/s/core', best(perCore.ours), best(perCore.raw), { op: '>=', value: 0.8 }, {
          note: `${load}; all runs ${all(perCore.ours)} logins/s vs ${all(perCore.raw)} verify/s; ${where}`,
          details: { ...options, cores, pinned: pin.measured, samples: perCore },
        }),
        ...infoRow('login CPU per login vs per verify', 'cpu ms', cpu(perCore.ours), cpu(perCore.raw), 'per-core pass: the measured process\'s CPU time (all threads) over operations completed (median)'),
      );
    }
    const machine = await comparePass(out, database?.url, options, { threadpool: options.threadpool, rounds: pin ? 1 : options.rounds });
    const load = `${cores} cores shared with the database, the pooler and the load generator, UV_THREADPOOL_SIZE=${options.threadpool} both sides, ${options.concurrency} concurrent`;
    rows.push(
      measured('login vs argon2 verify, whole machine', '/s', best(machine.ours), best(machine.raw), pin ? undefined : { op: '>=', value: 0.8 }, {
        note: `${load}; all runs ${all(machine.ours)} logins/s vs ${all(machine.raw)} verify/s; ${where}`,
        details: { ...options, cores, samples: machine },
      }),
    );
    return rows;
  } finally {
    await out.remove();
    await database?.drop();
  }
}

const best = (side: Run[]) => Math.max(...side.map((r) => r.perSecond));
const all = (side: Run[]) => side.map((r) => r.perSecond.toFixed(1)).join(', ');
const cpu = (side: Run[]) => median(side.map((r) => r.cpuMsPerOp));

/**
 * One pass: the identity server started (pinned when `pin`), one patient registered, warmed up, then `rounds`
 * alternated measured runs of each side. The load generator (this process) is confined to the other CPUs while
 * it runs, and put back afterwards.
 */
async function comparePass(
  out: Awaited<ReturnType<typeof bundleTemp>>,
  databaseUrl: string | undefined,
  options: LoginOptions,
  pass: { pin?: Pinning; threadpool: number; rounds: number },
): Promise<{ ours: Run[]; raw: Run[] }> {
  const uv = String(pass.threadpool);
  const dataDir = await mkdtemp(join(tmpdir(), 'consilium-bench-login-'));
  const start = (file: string, args: string[]) => (pass.pin ? pass.pin.command(file, args) : { file, args });
  const serverCommand = start(process.execPath, [out.file('login-server')]);
  const server = spawnTracked(
    serverCommand.file,
    serverCommand.args,
    childEnv({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development', UV_THREADPOOL_SIZE: uv, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }),
    repoRoot,
  );
  const restore = pass.pin?.confineSelf();
  try {
    // The embedded database starts and migrates before the server listens.
    const { port } = JSON.parse(await waitForLine(server, /"msg":"listening"/, 90_000)) as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const email = `bench-login-${Date.now()}-${uv}@example.org`;
    await register(base, email);
    const body = JSON.stringify({ email, password: PASSWORD });
    await loginOnce(base, body);
    const url = `${base}/v1/auth/login`;
    await loadLogin(url, body, options.concurrency, options.warmupSeconds, server.pid!);
    const raw = () => {
      const command = start(process.execPath, [out.file('argon2-verify')]);
      return rawVerify(command, options.concurrency, options.seconds, 2, uv);
    };
    const samples = { ours: [] as Run[], raw: [] as Run[] };
    for (let round = 0; round < pass.rounds; round++) {
      const order = round % 2 === 0 ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const);
      for (const side of order) samples[side].push(side === 'ours' ? await loadLogin(url, body, options.concurrency, options.seconds, server.pid!) : await raw());
    }
    return samples;
  } finally {
    restore?.();
    await stopChild(server, 10_000);
    await rm(dataDir, { recursive: true, force: true });
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
async function rawVerify(command: { file: string; args: string[] }, concurrency: number, seconds: number, warmupSeconds: number, uv: string): Promise<Run> {
  const child = spawnTracked(
    command.file,
    command.args,
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
