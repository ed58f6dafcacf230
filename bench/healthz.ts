import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { startServer, stopChild } from './support/children.ts';
import { bundleTemp } from './support/bundles.ts';
import { infoRow, measured, type Row } from './support/report.ts';
import { median } from './support/stats.ts';

/** Load shape, the same for both servers. */
export interface HealthzOptions {
  connections: number;
  /** Seconds per measured run. */
  seconds: number;
  warmupSeconds: number;
  /** Measured runs per server, alternated A, B, A, B… so drift (thermal, other tenants) hits both alike. */
  rounds: number;
}

export const healthzDefaults: HealthzOptions = { connections: 50, seconds: 5, warmupSeconds: 2, rounds: 2 };

// A syntactically valid URL that nothing answers: the runtime's database client is created but never connects.
const unusedDatabase = 'postgres://bench:bench@127.0.0.1:9/unused';

/**
 * GET /healthz req/s: the runtime's Hono app behind serveApp vs a bare node:http server answering the same
 * bytes, each in its own child process, loaded by autocannon from this one.
 *
 * @example
 * const [row] = await benchHealthz(healthzDefaults);
 */
export async function benchHealthz(options: HealthzOptions = healthzDefaults): Promise<Row[]> {
  const out = await bundleTemp({ 'runtime-server': 'bench/fixtures/runtime-server.ts', 'bare-server': 'bench/fixtures/bare-server.ts' });
  // LOG_LEVEL=info as deployed: debug lines cost their level check and nothing more.
  const env = { DATABASE_URL: unusedDatabase, LOG_LEVEL: 'info', NODE_ENV: 'development' };
  const servers = await Promise.all([startServer(out.file('runtime-server'), env), startServer(out.file('bare-server'), env)]);
  try {
    const [ours, bare] = servers.map((s) => `${s.url}/healthz`) as [string, string];
    await assertSameAnswer(ours, bare);
    await load(ours, options.connections, options.warmupSeconds);
    await load(bare, options.connections, options.warmupSeconds);
    const samples = { ours: [] as Run[], bare: [] as Run[] };
    const pids = { ours: servers[0].child.pid!, bare: servers[1].child.pid! };
    for (let round = 0; round < options.rounds; round++) {
      // Swap the order every round, so neither side always runs right after the other's load.
      const order = round % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      for (const side of order) samples[side].push(await load(side === 'ours' ? ours : bare, options.connections, options.seconds, pids[side]));
    }
    // The better run of each: noise only ever slows a run down, so the best is the closest to what the code can do.
    const best = (side: Run[]) => Math.max(...side.map((r) => r.perSecond));
    const rps = (side: Run[]) => side.map((r) => Math.round(r.perSecond)).join(', ');
    const cpu = (side: Run[]) => median(side.map((r) => r.cpuUsPerRequest));
    const rows = [
      measured('healthz throughput', 'req/s', best(samples.ours), best(samples.bare), { op: '>=', value: 0.85 }, {
        note: `${options.connections} connections, ${options.seconds} s x ${options.rounds} alternated runs each, best run; all runs ${rps(samples.ours)} vs ${rps(samples.bare)} req/s`,
        details: { ...options, samples },
      }),
    ];
    rows.push(...infoRow('healthz CPU per request', 'us', cpu(samples.ours), cpu(samples.bare), "the server process's CPU time over requests served, same runs (median); what a busy machine distorts least"));
    return rows;
  } finally {
    await Promise.all(servers.map((s) => stopChild(s.child)));
    await out.remove();
  }
}

/** One load run against one server. */
interface Run {
  perSecond: number;
  requests: number;
  /** The server's CPU time (user + system) per request served; NaN where /proc is missing. */
  cpuUsPerRequest: number;
}

/** Runs autocannon against `url`; any error or non-2xx answer fails the benchmark. */
async function load(url: string, connections: number, seconds: number, pid?: number): Promise<Run> {
  const cpuBefore = pid ? await cpuSeconds(pid) : Number.NaN;
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const cpuAfter = pid ? await cpuSeconds(pid) : Number.NaN;
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  const requests = result.requests.total;
  return { perSecond: result.requests.average, requests, cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1e6) / requests };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); NaN elsewhere. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return Number.NaN;
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th, in USER_HZ (100/s on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The comparison is fair only if both answer alike: same status, content type, length and body. */
async function assertSameAnswer(ours: string, bare: string): Promise<void> {
  const [a, b] = await Promise.all([ours, bare].map((u) => fetch(u, { signal: AbortSignal.timeout(5000) })));
  const describe = async (r: Response) =>
    JSON.stringify([r.status, r.headers.get('content-type'), r.headers.get('content-length'), await r.text()]);
  const [da, db] = await Promise.all([describe(a!), describe(b!)]);
  if (da !== db) throw new Error(`the two servers answer differently: ${da} vs ${db}`);
}
