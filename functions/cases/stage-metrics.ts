import { afterCommit, type Tx } from '../../shared/db/index.ts';
import { countSlaBreach, recordStageDuration } from '../../shared/telemetry/metrics.ts';
import type { CaseStatus } from './lifecycle.ts';
import { TURNAROUND_HOURS } from './pricing.ts';
import { secondsInCurrentStatus, statusAt, type CaseRow } from './queries.ts';

/**
 * Measures one move of a case for the dashboards: how long it stayed in the status it leaves and, when it is
 * delivered, whether the turnaround promised from payment was missed. Read in the move's transaction before its
 * timeline row is written; recorded only once that transaction commits, so a rolled-back move counts nothing.
 * A case is delivered once (no move leaves `delivered` but closing), so a breach is counted once per case.
 *
 * @example
 * await measureMove(tx, row, { from: 'in_review', to: 'delivered' });
 */
export async function measureMove(tx: Tx, row: Pick<CaseRow, 'id' | 'urgency' | 'paidAt'>, move: { from: CaseStatus; to: CaseStatus }): Promise<void> {
  const seconds = await secondsInCurrentStatus(tx, row.id);
  const breachedIn = move.to === 'delivered' ? await promiseMissedIn(tx, row, move.from) : undefined;
  afterCommit(tx, () => {
    if (seconds !== undefined) recordStageDuration(move.from, seconds);
    if (breachedIn) countSlaBreach(breachedIn);
  });
}

/**
 * The status the case was in when its promised turnaround (by its urgency, from payment) ran out, or undefined if it
 * is delivered in time. A case never paid has no promise.
 */
async function promiseMissedIn(tx: Tx, row: Pick<CaseRow, 'id' | 'urgency' | 'paidAt'>, from: CaseStatus): Promise<CaseStatus | undefined> {
  if (!row.paidAt) return undefined;
  const promisedBy = new Date(row.paidAt.getTime() + TURNAROUND_HOURS[row.urgency] * 3_600_000);
  if (Date.now() <= promisedBy.getTime()) return undefined;
  return (await statusAt(tx, row.id, promisedBy)) ?? from;
}
