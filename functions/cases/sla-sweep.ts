import { CaseSlaBreachedV1 } from '../../events/case.ts';
import { emit } from '../../shared/bus/emit.ts';
import { afterCommit, transaction, type Sql } from '../../shared/db/index.ts';
import { countSlaBreach } from '../../shared/telemetry/metrics.ts';
import { promisedBy } from './pricing.ts';
import { lockOverdueCases, markSlaBreached } from './queries.ts';
import { promiseMissedIn } from './stage-metrics.ts';

/** How many cases one sweep transaction flags; the loop (or the next tick) takes the rest. */
const BATCH = 100;

/** Whose cases the sweep looks at and on which clock (tests share one database and move time themselves). */
export interface SlaSweepScope {
  caseIds?: readonly string[];
  now?: () => Date;
  sql?: Sql;
}

/**
 * Cron `flag-overdue-cases`: every paid case still open (not delivered, closed, cancelled or refunded) whose promised
 * turnaround has run out is flagged once — sla_breached_at and `case.sla-breached.v1` in one transaction per batch —
 * and, once that commits, counted in `consilium_sla_breaches_total` under the status it was in when the promise ran
 * out. So ops hear of a late case while they can still act, not when it is finally delivered; its late delivery
 * then counts nothing more (see stage-metrics.ts). Safe when two run at once: each locks the cases it flags and
 * skips those another holds, and the flag is set only where none is.
 *
 * @example
 * await flagOverdueCases(); // { flagged: 2 }
 */
export async function flagOverdueCases(scope: SlaSweepScope = {}): Promise<{ flagged: number }> {
  const clock = scope.now ?? (() => new Date());
  let flagged = 0;
  for (;;) {
    const batch = await transaction(async (tx) => {
      const now = clock();
      const overdue = await lockOverdueCases(tx, { now, limit: BATCH, caseIds: scope.caseIds });
      const breaches: string[] = [];
      for (const row of overdue) {
        const status = await promiseMissedIn(tx, row, row.status, now);
        if (!status || !(await markSlaBreached(tx, row.id, now))) continue;
        await emit(tx, CaseSlaBreachedV1, {
          source: 'cases',
          subject: row.id,
          data: { caseId: row.id, ownerId: row.ownerId, status, urgency: row.urgency, promisedBy: promisedBy(row.paidAt!, row.urgency).toISOString() },
        });
        breaches.push(status);
      }
      afterCommit(tx, () => {
        for (const status of breaches) countSlaBreach(status);
        flagged += breaches.length;
      });
      return breaches.length;
    }, scope.sql);
    // A batch that flagged fewer than it could was the last: the rest is already flagged or held by another sweep.
    if (batch < BATCH) return { flagged };
  }
}
