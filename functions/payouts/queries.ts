import type { Sql, Tx } from '../../shared/db/index.ts';
import type { Grade } from '../../shared/auth/grades.ts';
import type { EarningRole, Urgency } from './rates.ts';

/** Every statement of the payouts schema, one function each; the transaction or client comes first. */

type Db = Sql | Tx;

export interface EarningRow {
  id: string;
  caseId: string;
  opinionId: string;
  professionalId: string;
  role: EarningRole;
  grade: Grade;
  urgency: Urgency;
  amount: string | number;
  currency: string;
  earnedAt: Date;
  payoutId: string | null;
  /** earned_at as PostgreSQL prints it (microseconds kept): the keyset cursor. */
  earnedKey: string;
}

export interface BankAccountRow {
  professionalId: string;
  sealed: string;
  ibanLast4: string;
  updatedAt: Date;
}

/**
 * Records what identity says about a professional; fields left undefined keep their value.
 *
 * @example
 * await upsertProfessional(tx, { professionalId, grade: 'G3', status: 'active' });
 */
export async function upsertProfessional(tx: Tx, row: { professionalId: string; grade?: Grade; status: string }): Promise<void> {
  await tx`
    insert into payouts.professionals (professional_id, grade, status) values (${row.professionalId}, ${row.grade ?? null}, ${row.status})
    on conflict (professional_id) do update
      set grade = coalesce(excluded.grade, payouts.professionals.grade), status = excluded.status, updated_at = now()`;
}

/**
 * The grade identity last gave a professional, if any.
 *
 * @example
 * await professionalGrade(tx, reviewerId); // 'G4'
 */
export async function professionalGrade(sql: Db, professionalId: string): Promise<Grade | undefined> {
  const [row] = await sql<{ grade: Grade | null }[]>`select grade from payouts.professionals where professional_id = ${professionalId}`;
  return row?.grade ?? undefined;
}

/**
 * Inserts an earning unless this (case, professional, role) already has one; returns the row only when inserted.
 *
 * @example
 * const inserted = await insertEarning(tx, { id, caseId, opinionId, professionalId, role: 'author', grade: 'G2', urgency: 'standard', amount: 11000, currency: 'EUR', earnedAt });
 */
export async function insertEarning(
  tx: Tx,
  row: { id: string; caseId: string; opinionId: string; professionalId: string; role: EarningRole; grade: Grade; urgency: Urgency; amount: number; currency: string; earnedAt: Date },
): Promise<EarningRow | undefined> {
  const [inserted] = await tx<EarningRow[]>`
    insert into payouts.earnings ${tx(row)}
    on conflict (case_id, professional_id, role) do nothing
    returning *, earned_at::text as earned_key`;
  return inserted;
}

/**
 * Sets (or replaces) a professional's sealed bank account.
 *
 * @example
 * await upsertBankAccount(tx, { professionalId, sealed, ibanLast4: '3000' });
 */
export async function upsertBankAccount(tx: Tx, row: { professionalId: string; sealed: string; ibanLast4: string }): Promise<BankAccountRow> {
  const [saved] = await tx<BankAccountRow[]>`
    insert into payouts.bank_accounts ${tx(row)}
    on conflict (professional_id) do update set sealed = excluded.sealed, iban_last4 = excluded.iban_last4, updated_at = now()
    returning *`;
  return saved!;
}

/**
 * A professional's bank account, or undefined.
 *
 * @example
 * await findBankAccount(tx, professionalId);
 */
export async function findBankAccount(sql: Db, professionalId: string): Promise<BankAccountRow | undefined> {
  const [row] = await sql<BankAccountRow[]>`select * from payouts.bank_accounts where professional_id = ${professionalId}`;
  return row;
}

/**
 * The bank accounts of these professionals (for a batch).
 *
 * @example
 * await bankAccountsOf(tx, ['pro-1', 'pro-2']);
 */
export async function bankAccountsOf(sql: Db, professionalIds: string[]): Promise<BankAccountRow[]> {
  if (professionalIds.length === 0) return [];
  return sql<BankAccountRow[]>`select * from payouts.bank_accounts where professional_id = any(${professionalIds})`;
}

/** Where a page of earnings starts: after the earning with this time and id (newest first). */
export interface EarningCursor {
  earnedKey: string;
  id: string;
}

/**
 * One page of a professional's earnings, newest first, keyset on (earned_at, id); up to `limit + 1` rows so the
 * caller can tell whether another page follows. `paidAt` is the payout's, when it was paid.
 *
 * @example
 * await listEarnings(tx, { professionalId, after: undefined, limit: 20 });
 */
export async function listEarnings(
  sql: Db,
  query: { professionalId: string; after: EarningCursor | undefined; limit: number },
): Promise<(EarningRow & { payoutStatus: 'pending' | 'paid' | null })[]> {
  const after = query.after ? sql`(e.earned_at, e.id) < (${query.after.earnedKey}::timestamptz, ${query.after.id}::uuid)` : sql`true`;
  return sql<(EarningRow & { payoutStatus: 'pending' | 'paid' | null })[]>`
    select e.*, e.earned_at::text as earned_key, p.status as payout_status
    from payouts.earnings e left join payouts.payouts p on p.id = e.payout_id
    where e.professional_id = ${query.professionalId} and ${after}
    order by e.earned_at desc, e.id desc
    limit ${query.limit + 1}`;
}

/**
 * A professional's earnings of one calendar year (UTC) summed per month and currency.
 *
 * @example
 * await monthlyTotals(tx, professionalId, 2026); // [{ month: 1, currency: 'EUR', amount: '25000', count: '2' }, …]
 */
export async function monthlyTotals(
  sql: Db,
  professionalId: string,
  year: number,
): Promise<{ month: number; currency: string; amount: string; count: string }[]> {
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  return sql<{ month: number; currency: string; amount: string; count: string }[]>`
    select extract(month from earned_at at time zone 'UTC')::int as month, currency, sum(amount)::text as amount, count(*)::text as count
    from payouts.earnings
    where professional_id = ${professionalId} and earned_at >= ${from} and earned_at < ${to}
    group by 1, 2
    order by 1, 2`;
}
