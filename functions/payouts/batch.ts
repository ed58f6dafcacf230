import { randomUUID } from 'node:crypto';
import { PayoutBatchCreatedV1 } from '../../events/payouts.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction, type Tx } from '../../shared/db/index.ts';
import { bankAccountsOf } from './queries.ts';
import { findBatchByWeek, insertBatch, insertPayout, insertSkipped, lockBatchRuns, unpaidBefore, type BatchRow } from './batch-queries.ts';
import type { EarningRow } from './queries.ts';
import { batchWeek } from './week.ts';

/** What a run did: made the week's batch, or found it already made. */
export interface BatchRun {
  batch: BatchRow;
  created: boolean;
}

/** Earnings grouped per professional and currency, in a stable order. */
function groupEarnings(rows: EarningRow[]): { professionalId: string; currency: string; ids: string[]; amount: number }[] {
  const groups = new Map<string, { professionalId: string; currency: string; ids: string[]; amount: number }>();
  for (const row of rows) {
    const key = `${row.professionalId}\u0000${row.currency}`;
    const group = groups.get(key) ?? { professionalId: row.professionalId, currency: row.currency, ids: [], amount: 0 };
    group.ids.push(row.id);
    group.amount += Number(row.amount);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Makes the weekly batch for the week that ended before `at` — one payout per professional (and currency) of every
 * unpaid earning before the cutoff — or returns the one already made. Professionals without a bank account are
 * recorded as skipped and their earnings stay unpaid for a later batch. Runs under a transaction-scoped advisory
 * lock and a unique week key, so two runs at once make one batch.
 *
 * @example
 * const { batch, created } = await runWeeklyBatch(tick.scheduledAt, new Date());
 */
export async function runWeeklyBatch(at: Date, createdAt: Date): Promise<BatchRun> {
  const { weekKey, cutoff } = batchWeek(at);
  return transaction(async (tx) => {
    await lockBatchRuns(tx);
    const existing = await findBatchByWeek(tx, weekKey);
    if (existing) return { batch: existing, created: false };
    const batch = await insertBatch(tx, { id: randomUUID(), weekKey, cutoff, createdAt });
    const counts = await fillBatch(tx, batch);
    await emit(tx, PayoutBatchCreatedV1, { source: 'payouts', subject: batch.id, data: { batchId: batch.id, weekKey, ...counts } });
    return { batch, created: true };
  });
}

/** Turns the unpaid earnings before the batch's cutoff into payouts (with the creditor as it is now) or skips. */
async function fillBatch(tx: Tx, batch: BatchRow): Promise<{ payouts: number; skipped: number }> {
  const groups = groupEarnings(await unpaidBefore(tx, batch.cutoff));
  const accounts = new Map((await bankAccountsOf(tx, [...new Set(groups.map((g) => g.professionalId))])).map((a) => [a.professionalId, a]));
  let payouts = 0;
  for (const group of groups) {
    const account = accounts.get(group.professionalId);
    const row = { batchId: batch.id, professionalId: group.professionalId, amount: group.amount, currency: group.currency };
    if (!account) {
      await insertSkipped(tx, { ...row, reason: 'no-bank-account' });
      continue;
    }
    await insertPayout(tx, { ...row, id: randomUUID(), creditorSealed: account.sealed }, group.ids);
    payouts++;
  }
  return { payouts, skipped: groups.length - payouts };
}
