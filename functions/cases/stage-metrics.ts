import { afterCommit, type Tx } from '../../shared/db/index.ts';
import { countSlaBreach, recordStageDuration } from '../../shared/telemetry/metrics.ts';
import type { CaseStatus } from './lifecycle.ts';
import { promisedBy } from './pricing.ts';
import { statusAt, type CaseRow } from './queries.ts';

/**
 * Measures one move of a case for the dashboards: `seconds` it stayed in the status it leaves (from its timeline,
 * see insertTimeline) and, when it is delivered, whether the turnaround promised from payment was missed. Recorded
 * only once the move's transaction commits, so a rolled-back move counts nothing. A case is delivered once (no move
 * leaves `delivered` but closing), and one the `flag-overdue-cases` sweep already counted (sla_breached_at set) is
 * not counted again, so a breach is counted once per case.
 *
 * @example
 * await measureMove(tx, row, { from: 'in_review', to: 'delivered' }, 5400.2);
 */
export async function measureMove(
  tx: Tx,
  row: Pick<CaseRow, 'id' | 'urgency' | 'paidAt' | 'slaBreachedAt'>,
  move: { from: CaseStatus; to: CaseStatus },
  seconds: number | undefined,
): Promise<void> {
  const breachedIn = move.to === 'delivered' && !row.slaBreachedAt ? await promiseMissedIn(tx, row, move.from) : undefined;
  afterCommit(tx, () => {
    if (seconds !== undefined) recordStageDuration(move.from, seconds);
    if (breachedIn) countSlaBreach(breachedIn);
  });
}

/**
 * The status the case was in when its promised turnaround (by its urgency, from payment) ran out, or undefined if
 * that has not happened by `now`. A case never paid has no promise. `current` is the status it has now, for a
 * promise that ran out after its latest timeline row.
 *
 * @example
 * await promiseMissedIn(tx, row, 'in_review'); // 'assigned'
 */
export async function promiseMissedIn(tx: Tx, row: Pick<CaseRow, 'id' | 'urgency' | 'paidAt'>, current: CaseStatus, now = new Date()): Promise<CaseStatus | undefined> {
  if (!row.paidAt) return undefined;
  const promise = promisedBy(row.paidAt, row.urgency);
  if (now.getTime() <= promise.getTime()) return undefined;
  return (await statusAt(tx, row.id, promise)) ?? current;
}
