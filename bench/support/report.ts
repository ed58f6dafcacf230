import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a ratio must be to pass: at least (`>=`) or at most (`<=`) `value`. */
export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** One line of the report. `ratio` is always ours / baseline, so the target says which way is better. */
export interface Row {
  name: string;
  unit: string;
  ours?: number;
  baseline?: number;
  ratio?: number;
  target?: Target;
  /** INFO: measured side by side but without a target; SKIPPED: services missing; ERROR: the benchmark broke. */
  status: 'PASS' | 'MISS' | 'INFO' | 'SKIPPED' | 'ERROR';
  note?: string;
  /** Every sample behind the numbers, for the JSON only. */
  details?: unknown;
}

/**
 * A measured row: the ratio and PASS/MISS are computed here, once, so every benchmark judges the same way.
 *
 * @example
 * measured('healthz req/s', 'req/s', 41000, 45000, { op: '>=', value: 0.85 });
 */
export function measured(name: string, unit: string, ours: number, baseline: number, target?: Target, extra: Partial<Row> = {}): Row {
  const ratio = ours / baseline;
  const status = !target ? 'INFO' : (target.op === '>=' ? ratio >= target.value : ratio <= target.value) ? 'PASS' : 'MISS';
  return { name, unit, ours, baseline, ratio, ...(target ? { target } : {}), status, ...extra };
}

/**
 * An informational row (CPU time per operation…) only when both sides were measured: a process that exited
 * before it could report gives no row rather than a NaN.
 *
 * @example
 * rows.push(...infoRow('healthz CPU per request', 'us', cpuOurs, cpuBare, 'server CPU over requests served'));
 */
export function infoRow(name: string, unit: string, ours: number, baseline: number, note: string): Row[] {
  return Number.isFinite(ours) && Number.isFinite(baseline) ? [measured(name, unit, ours, baseline, undefined, { note })] : [];
}

const fmt = (n: number | undefined, digits = 1) =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The report as a plain-text table, one row per line, notes under it. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['benchmark', 'ours', 'baseline', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [
    r.name,
    r.ours === undefined ? '-' : `${fmt(r.ours)} ${r.unit}`,
    r.baseline === undefined ? '-' : `${fmt(r.baseline)} ${r.unit}`,
    fmt(r.ratio, 2),
    r.target ? `${r.target.op} ${r.target.value}` : '-',
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`);
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** Writes the report as JSON (rows plus where and when it was measured). */
export async function writeJson(path: string, rows: readonly Row[], machine: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, rows }, null, 2)}\n`);
}
