import { readFile } from 'node:fs/promises';

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux); NaN elsewhere.
 *
 * @example
 * const before = await cpuSeconds(child.pid!);
 */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return Number.NaN;
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th, in USER_HZ (100/s on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
