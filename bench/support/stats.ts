/**
 * The value below which `p` (0–1) of `values` fall, by nearest rank; NaN for no values.
 *
 * @example
 * percentile([3, 1, 2], 0.5); // 2
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** The median, by nearest rank (an actual sample, never an average of two). */
export const median = (values: readonly number[]): number => percentile(values, 0.5);
