import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const alive = new Set<ChildProcess>();

/**
 * The smallest environment a child needs: PATH and HOME from ours plus what the benchmark sets, so a stray
 * variable in the caller's shell (an OTel endpoint, a DATABASE_URL) cannot change what is measured.
 *
 * @example
 * spawnTracked(process.execPath, ['server.mjs'], childEnv({ PORT: '0' }));
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

/**
 * Spawns a child that {@link killAll} ends, whatever happens to the run: a benchmark that throws half-way must not
 * leave servers holding ports or CPU.
 *
 * @example
 * const child = spawnTracked(process.execPath, ['-e', '']);
 */
export function spawnTracked(command: string, args: string[], env: NodeJS.ProcessEnv = childEnv({}), cwd?: string): ChildProcess {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  return child;
}

/** Resolves with the first stdout line that matches `pattern`; rejects when the child exits or `ms` pass first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const finish = (error?: Error, line?: string) => {
      clearTimeout(timer);
      lines.close();
      child.off('exit', onExit);
      // Keep draining the pipes: a child blocked on a full stdout would stall the measurement.
      child.stdout!.resume();
      if (error) reject(error);
      else resolve(line!);
    };
    const onExit = (code: number | null) => finish(new Error(`child exited (${code}) before printing ${pattern}: ${stderr.trim()}`));
    const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${ms} ms: ${stderr.trim()}`)), ms);
    lines.on('line', (line) => {
      if (pattern.test(line)) finish(undefined, line);
    });
    child.once('exit', onExit);
  });
}

/** Waits for a child to exit; rejects after `ms`. */
export function exited(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child ${child.pid} still running after ${ms} ms`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Ends one child: SIGTERM (our servers drain), SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await exited(child, graceMs).catch(() => {
    child.kill('SIGKILL');
    return exited(child, 1000);
  });
}

/** Ends every child still running (by its own pid, nothing else). */
export async function killAll(): Promise<void> {
  await Promise.all([...alive].map((child) => stopChild(child).catch(() => undefined)));
}

// Last resort when the parent dies on an uncaught error or Ctrl-C: no async work is possible here.
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/**
 * Starts a bundled server with `node <file>` on a port of its choosing (PORT=0) and reads the port from its
 * "listening" log line.
 *
 * @example
 * const { url, child } = await startServer(out.file('bare-server'), {});
 */
export async function startServer(file: string, env: Record<string, string>, ms = 15_000) {
  const child = spawnTracked(process.execPath, [file], childEnv({ PORT: '0', ...env }));
  const line = await waitForLine(child, /"msg":"listening"/, ms);
  const { port } = JSON.parse(line) as { port: number };
  return { child, port, url: `http://127.0.0.1:${port}` };
}

/**
 * Runs a measuring child (`node --import tsx FILE`, from the repo root so migrations and tsx resolve) to its end
 * and answers the last JSON line it printed; a non-zero exit or no JSON throws with the end of its stderr.
 *
 * @example
 * const { result } = await runMeasuringChild<{ result: Runs }>(fixture('upload-measure.ts'), { BENCH_UPLOADS: '200' });
 */
export async function runMeasuringChild<T>(file: string, env: Record<string, string>, root: string, timeoutMs = 10 * 60_000): Promise<T> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', file], childEnv(env), root);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    const code = await exited(child, timeoutMs);
    const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
    if (code !== 0 || !last) throw new Error(`${file} exited ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
    return JSON.parse(last) as T;
  } finally {
    await stopChild(child);
  }
}
