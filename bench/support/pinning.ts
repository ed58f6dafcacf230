import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Where a "per core" measurement runs: the measured process on `measured` (one CPU), everything else (this process
 * with its load generator; the database and pooler are left to the scheduler, which puts them on the idle side)
 * on `rest`. Undefined when the machine has one core or no `taskset` (util-linux): measure unpinned then.
 */
export interface Pinning {
  /** The CPU list given to the measured children, e.g. "1". */
  measured: string;
  /** The CPU list for this process while it generates load, e.g. "0". */
  rest: string;
  /** Prefixes a command so it starts on `measured`: `taskset -c 1 node …` (taskset execs, so the pid is node's). */
  command(file: string, args: string[]): { file: string; args: string[] };
  /** Moves every thread of this process to `rest` until the returned function puts them back. */
  confineSelf(): () => void;
}

/**
 * A pinning for "per core" runs on this machine: the last CPU measured, the others for the rest.
 *
 * @example
 * const pin = corePinning();
 * const restore = pin?.confineSelf();
 * try { … } finally { restore?.(); }
 */
export function corePinning(): Pinning | undefined {
  const cores = availableParallelism();
  if (cores < 2 || !has('taskset')) return undefined;
  const measured = String(cores - 1);
  const rest = cores === 2 ? '0' : `0-${cores - 2}`;
  return {
    measured,
    rest,
    command: (file, args) => ({ file: 'taskset', args: ['-c', measured, file, ...args] }),
    confineSelf() {
      const mask = execFileSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' }).trim().split(/\s+/).pop()!;
      execFileSync('taskset', ['-a', '-p', '-c', rest, String(process.pid)], { stdio: 'ignore' });
      return () => execFileSync('taskset', ['-a', '-p', mask, String(process.pid)], { stdio: 'ignore' });
    },
  };
}

function has(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
