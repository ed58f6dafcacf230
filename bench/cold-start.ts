import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { childEnv, exited, spawnTracked, stopChild, waitForLine } from './support/children.ts';
import { bundleTemp } from './support/bundles.ts';
import { measured, type Row } from './support/report.ts';
import { median } from './support/stats.ts';

export interface ColdStartOptions {
  /** Measured starts per side, alternated; one unmeasured start of each goes first to warm the file cache. */
  repeats: number;
}

export const coldStartDefaults: ColdStartOptions = { repeats: 10 };

// Set so the bundle never loads the embedded database; nothing connects to it, since nothing queries.
const unusedDatabase = 'postgres://bench:bench@127.0.0.1:9/unused';

/**
 * Cold start of one bundled function (spawn → first 200 on /healthz) vs `node -e ''` (spawn → exit): how much
 * the platform adds to the bare cost of starting Node, which is what a scaled-to-zero request waits for.
 *
 * @example
 * const [row] = await benchColdStart({ repeats: 10 });
 */
export async function benchColdStart(options: ColdStartOptions = coldStartDefaults): Promise<Row[]> {
  const out = await bundleTemp({
    'cold-function': 'bench/fixtures/cold-function.ts',
    'bare-server': 'bench/fixtures/bare-server.ts',
    'cpu-at-exit': 'bench/fixtures/cpu-at-exit.ts',
  });
  try {
    // Wall time on plain processes (the target); CPU time in a second pass, every process preloaded alike with the
    // module that prints it, since a preload (--import) costs `node -e ''` an ESM loader it would not start otherwise.
    const plain = await measure(out, [], options.repeats);
    const preloaded = await measure(out, ['--import', out.file('cpu-at-exit')], options.repeats);
    const samples = { wall: plain, cpu: preloaded };
    const wall = (side: keyof Sides) => median(plain[side].map((s) => s.ms));
    const cpu = (side: keyof Sides) => median(preloaded[side].map((s) => s.cpuMs));
    const ours = wall('ours');
    return [
      measured('cold start vs node -e', 'ms', ours, wall('node'), { op: '<=', value: 3 }, {
        note: `median of ${options.repeats} alternated starts each: spawn -> first 200 on /healthz vs spawn -> exit of node -e ''`,
        details: { ...options, samples },
      }),
      measured('cold start vs node:http server', 'ms', ours, wall('http'), undefined, {
        note: 'the same bundled function vs the bare node:http server (bundled alike), both spawn -> first 200 on /healthz',
      }),
      measured('cold start CPU vs node -e', 'cpu ms', cpu('ours'), cpu('node'), undefined, {
        note: `CPU time (user + system, to exit) of a second pass of starts, all preloaded with the module that prints it; steadier than wall time on a busy machine; node:http server ${cpu('http').toFixed(1)} cpu ms`,
      }),
    ];
  } finally {
    await out.remove();
  }
}

interface Sides {
  ours: Start[];
  node: Start[];
  http: Start[];
}

/** One unmeasured start of each side, then `repeats` alternated ones: ours, node -e, node:http server. */
async function measure(out: Awaited<ReturnType<typeof bundleTemp>>, preload: string[], repeats: number): Promise<Sides> {
  const ours = () => firstAnswer([...preload, out.file('cold-function')]);
  const node = () => bareNode(preload);
  // Not the target's baseline, but it tells Node's own HTTP start-up apart from what the platform adds.
  const http = () => firstAnswer([...preload, out.file('bare-server')]);
  await ours();
  await node();
  await http();
  const sides: Sides = { ours: [], node: [], http: [] };
  for (let i = 0; i < repeats; i++) {
    sides.ours.push(await ours());
    sides.node.push(await node());
    sides.http.push(await http());
  }
  return sides;
}

/** One start: wall-clock ms to the measured point, and the CPU ms the process used in all. */
interface Start {
  ms: number;
  cpuMs: number;
}

/** Spawn → first 200 on /healthz; the child is stopped afterwards, outside the timing, and reports its CPU time. */
async function firstAnswer(args: string[]): Promise<Start> {
  const started = performance.now();
  const child = spawnTracked(process.execPath, args, childEnv({ PORT: '0', DATABASE_URL: unusedDatabase, LOG_LEVEL: 'info' }));
  const cpu = cpuOf(child);
  let ms: number | undefined;
  try {
    const line = await waitForLine(child, /"msg":"listening"/, 15_000);
    const { port } = JSON.parse(line) as { port: number };
    // The line is logged once the socket listens, so the first request normally answers; retry briefly anyway.
    const deadline = performance.now() + 10_000;
    for (let attempt = 0; attempt < 200 && ms === undefined && performance.now() < deadline; attempt++) {
      if ((await healthz(port)) === 200) ms = performance.now() - started;
      else await new Promise((r) => setTimeout(r, 5));
    }
    if (ms === undefined) throw new Error(`${args.at(-1)} listened but /healthz never answered 200`);
  } finally {
    await stopChild(child);
  }
  return { ms, cpuMs: await cpu };
}

/** Spawn → exit of a Node that does nothing: the floor any Node function starts from. */
async function bareNode(preload: string[]): Promise<Start> {
  const started = performance.now();
  const child = spawnTracked(process.execPath, [...preload, '-e', ''], childEnv({}));
  const cpu = cpuOf(child);
  child.stdout!.resume();
  const code = await exited(child, 10_000);
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`node -e '' exited ${code}`);
  return { ms, cpuMs: await cpu };
}

/** The CPU time the preload prints at exit (NaN if it printed none, e.g. when killed). */
function cpuOf(child: ChildProcess): Promise<number> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', () => resolve(Number(/cpu-ms ([\d.]+)/.exec(stderr)?.[1] ?? Number.NaN))));
}

/** The status of one GET /healthz on loopback (0 when the connection fails), with a short timeout. */
function healthz(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}
