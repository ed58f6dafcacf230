import autocannon from 'autocannon';
import { bundleTemp } from './support/bundles.ts';
import { startServer, stopChild } from './support/children.ts';
import { cpuSeconds } from './support/proc.ts';
import { infoRow, measured, type Row } from './support/report.ts';
import { median } from './support/stats.ts';

/** Load shape, the same for both routes. */
export interface AuthOptions {
  connections: number;
  /** Seconds per measured run. */
  seconds: number;
  warmupSeconds: number;
  /** Measured runs per route, alternated. */
  rounds: number;
}

export const authDefaults: AuthOptions = { connections: 50, seconds: 5, warmupSeconds: 2, rounds: 2 };

/**
 * GET req/s of a no-op route behind the shared `authenticate()` middleware (a real EdDSA access token signed by
 * identity's token code, verified through the in-process key resolver) vs the same no-op route without it, both in
 * one bundled function served by serveApp in a child process, loaded alternately by autocannon from this one.
 *
 * @example
 * const rows = await benchAuth(authDefaults);
 */
export async function benchAuth(options: AuthOptions = authDefaults): Promise<Row[]> {
  const out = await bundleTemp({ 'auth-server': 'bench/fixtures/auth-server.ts' });
  const server = await startServer(out.file('auth-server'), { LOG_LEVEL: 'info', NODE_ENV: 'development' });
  try {
    const tokenRes = await fetch(`${server.url}/bench/token`, { signal: AbortSignal.timeout(5000) });
    const { token } = (await tokenRes.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    const urls = { authed: `${server.url}/v1/noop-auth`, open: `${server.url}/v1/noop` };
    await assertSameAnswer(urls.authed, urls.open, headers);

    const run = (side: 'authed' | 'open', seconds: number) => load(urls[side], side === 'authed' ? headers : {}, options.connections, seconds, server.child.pid!);
    await run('authed', options.warmupSeconds);
    await run('open', options.warmupSeconds);
    const samples = { authed: [] as Run[], open: [] as Run[] };
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? (['authed', 'open'] as const) : (['open', 'authed'] as const);
      for (const side of order) samples[side].push(await run(side, options.seconds));
    }
    const best = (side: Run[]) => Math.max(...side.map((r) => r.perSecond));
    const rps = (side: Run[]) => side.map((r) => Math.round(r.perSecond)).join(', ');
    const cpu = (side: Run[]) => median(side.map((r) => r.cpuUsPerRequest));
    const rows: Row[] = [
      measured('authenticated vs open route', 'req/s', best(samples.authed), best(samples.open), { op: '>=', value: 0.8 }, {
        note: `same server, ${options.connections} connections, ${options.seconds} s x ${options.rounds} alternated runs each, best run; all runs ${rps(samples.authed)} vs ${rps(samples.open)} req/s`,
        details: { ...options, samples },
      }),
    ];
    rows.push(...infoRow('authenticated CPU per request', 'us', cpu(samples.authed), cpu(samples.open), "the server process's CPU time (all threads) over requests served, same runs (median)"));
    return rows;
  } finally {
    await stopChild(server.child);
    await out.remove();
  }
}

interface Run {
  perSecond: number;
  requests: number;
  cpuUsPerRequest: number;
}

/** Runs autocannon against `url`; any error or non-2xx answer (a 401: the token was refused) fails the benchmark. */
async function load(url: string, headers: Record<string, string>, connections: number, seconds: number, pid: number): Promise<Run> {
  const before = await cpuSeconds(pid);
  const result = await autocannon({ url, headers, connections, duration: seconds, pipelining: 1 });
  const after = await cpuSeconds(pid);
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  const requests = result.requests.total;
  return { perSecond: result.requests.average, requests, cpuUsPerRequest: ((after - before) * 1e6) / requests };
}

/** Both routes must answer alike (status, type, length, body), and the open one must not need the token. */
async function assertSameAnswer(authed: string, open: string, headers: Record<string, string>): Promise<void> {
  const refused = await fetch(authed, { signal: AbortSignal.timeout(5000) });
  await refused.arrayBuffer();
  if (refused.status !== 401) throw new Error(`${authed} without a token answered ${refused.status}, not 401`);
  const [a, b] = await Promise.all([fetch(authed, { headers, signal: AbortSignal.timeout(5000) }), fetch(open, { signal: AbortSignal.timeout(5000) })]);
  const describe = async (r: Response) => JSON.stringify([r.status, r.headers.get('content-type'), r.headers.get('content-length'), await r.text()]);
  const [da, db] = await Promise.all([describe(a), describe(b)]);
  if (da !== db) throw new Error(`the two routes answer differently: ${da} vs ${db}`);
}
