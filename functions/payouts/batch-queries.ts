import { lockNamed, type Sql, type Tx } from '../../shared/db/index.ts';
import type { EarningRow } from './queries.ts';

/** The statements of weekly batches and their payouts, one function each; the transaction or client comes first. */

type Db = Sql | Tx;

export interface BatchRow {
  id: string;
  weekKey: string;
  cutoff: Date;
  createdAt: Date;
}

export interface PayoutRow {
  id: string;
  batchId: string;
  professionalId: string;
  amount: string | number;
  currency: string;
  creditorSealed: string;
  status: 'pending' | 'paid';
  paidAt: Date | null;
}

export interface SkippedRow {
  professionalId: string;
  amount: string | number;
  currency: string;
  reason: string;
}

/**
 * Serialises batch runs until the transaction ends: a transaction-scoped advisory lock, which holds through
 * PgBouncer in transaction mode where a session lock would not.
 *
 * @example
 * await lockBatchRuns(tx);
 */
export async function lockBatchRuns(tx: Tx): Promise<void> {
  await lockNamed(tx, 'payouts.weekly-batch');
}

/**
 * The batch of a week, if it was made.
 *
 * @example
 * await findBatchByWeek(tx, '2026-W49');
 */
export async function findBatchByWeek(sql: Db, weekKey: string): Promise<BatchRow | undefined> {
  const [row] = await sql<BatchRow[]>`select * from payouts.batches where week_key = ${weekKey}`;
  return row;
}

/**
 * A batch by id, or undefined.
 *
 * @example
 * await findBatch(tx, id);
 */
export async function findBatch(sql: Db, id: string): Promise<BatchRow | undefined> {
  const [row] = await sql<BatchRow[]>`select * from payouts.batches where id = ${id}`;
  return row;
}

/**
 * The newest batches (a week's only, when `weekKey` is given).
 *
 * @example
 * await listBatches(tx, { weekKey: '2026-W49', limit: 20 });
 */
export async function listBatches(sql: Db, query: { weekKey?: string | undefined; limit: number }): Promise<BatchRow[]> {
  const week = query.weekKey === undefined ? sql`true` : sql`week_key = ${query.weekKey}`;
  return sql<BatchRow[]>`select * from payouts.batches where ${week} order by cutoff desc limit ${query.limit}`;
}

/**
 * Inserts a batch; the unique week key makes a second insert for the same week fail rather than double it.
 *
 * @example
 * await insertBatch(tx, { id, weekKey: '2026-W49', cutoff, createdAt: now });
 */
export async function insertBatch(tx: Tx, row: { id: string; weekKey: string; cutoff: Date; createdAt: Date }): Promise<BatchRow> {
  const [inserted] = await tx<BatchRow[]>`insert into payouts.batches ${tx(row)} returning *`;
  return inserted!;
}

/**
 * Every unpaid earning from before `cutoff`, locked until the transaction ends (so no two batches take one).
 *
 * @example
 * await unpaidBefore(tx, cutoff);
 */
export async function unpaidBefore(tx: Tx, cutoff: Date): Promise<EarningRow[]> {
  return tx<EarningRow[]>`
    select *, earned_at::text as earned_key from payouts.earnings
    where payout_id is null and earned_at < ${cutoff}
    order by professional_id, currency, earned_at, id
    for update`;
}

/**
 * Inserts one payout and links its earnings to it.
 *
 * @example
 * await insertPayout(tx, { id, batchId, professionalId, amount: 25000, currency: 'EUR', creditorSealed }, earningIds);
 */
export async function insertPayout(
  tx: Tx,
  row: { id: string; batchId: string; professionalId: string; amount: number; currency: string; creditorSealed: string },
  earningIds: string[],
): Promise<void> {
  await tx`insert into payouts.payouts ${tx(row)}`;
  await tx`update payouts.earnings set payout_id = ${row.id} where id = any(${earningIds}::uuid[]) and payout_id is null`;
}

/**
 * Records that a batch could not pay a professional (their earnings stay unpaid).
 *
 * @example
 * await insertSkipped(tx, { batchId, professionalId, amount: 8000, currency: 'EUR', reason: 'no-bank-account' });
 */
export async function insertSkipped(tx: Tx, row: { batchId: string; professionalId: string; amount: number; currency: string; reason: string }): Promise<void> {
  await tx`insert into payouts.skipped ${tx(row)}`;
}

/**
 * The payouts of a batch, by professional.
 *
 * @example
 * await payoutsOfBatch(tx, batchId);
 */
export async function payoutsOfBatch(sql: Db, batchId: string): Promise<PayoutRow[]> {
  return sql<PayoutRow[]>`select * from payouts.payouts where batch_id = ${batchId} order by professional_id, currency`;
}

/**
 * Who a batch skipped, and why.
 *
 * @example
 * await skippedOfBatch(tx, batchId);
 */
export async function skippedOfBatch(sql: Db, batchId: string): Promise<SkippedRow[]> {
  return sql<SkippedRow[]>`select professional_id, amount, currency, reason from payouts.skipped where batch_id = ${batchId} order by professional_id, currency`;
}

/**
 * A payout by id, or undefined.
 *
 * @example
 * await findPayout(tx, payoutId);
 */
export async function findPayout(sql: Db, id: string): Promise<PayoutRow | undefined> {
  const [row] = await sql<PayoutRow[]>`select * from payouts.payouts where id = ${id}`;
  return row;
}

/**
 * A professional's payouts with their batch's week, newest first (at most `limit`).
 *
 * @example
 * await payoutsOfProfessional(tx, professionalId, 50);
 */
export async function payoutsOfProfessional(sql: Db, professionalId: string, limit: number): Promise<(PayoutRow & { weekKey: string })[]> {
  return sql<(PayoutRow & { weekKey: string })[]>`
    select p.*, b.week_key from payouts.payouts p join payouts.batches b on b.id = p.batch_id
    where p.professional_id = ${professionalId}
    order by b.cutoff desc, p.currency
    limit ${limit}`;
}

/**
 * The earnings a payout pays, oldest first.
 *
 * @example
 * await earningsOfPayout(tx, payoutId);
 */
export async function earningsOfPayout(sql: Db, payoutId: string): Promise<EarningRow[]> {
  return sql<EarningRow[]>`select *, earned_at::text as earned_key from payouts.earnings where payout_id = ${payoutId} order by earned_at, id`;
}

/**
 * Marks pending payouts paid — all of a batch, or one — and returns only those this call changed, so a repeat
 * (or a concurrent call, which waits on the row locks) changes and returns nothing.
 *
 * @example
 * const newlyPaid = await markPaid(tx, { batchId, paidAt: now });
 */
export async function markPaid(tx: Tx, target: { batchId: string; payoutId?: string; paidAt: Date }): Promise<PayoutRow[]> {
  const one = target.payoutId === undefined ? tx`true` : tx`id = ${target.payoutId}`;
  return tx<PayoutRow[]>`
    update payouts.payouts set status = 'paid', paid_at = ${target.paidAt}
    where batch_id = ${target.batchId} and ${one} and status = 'pending'
    returning *`;
}
