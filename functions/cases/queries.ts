import type { Sql, Tx } from '../../shared/db/index.ts';
import type { CaseStatus } from './lifecycle.ts';
import { TURNAROUND_HOURS, URGENCIES, type Currency, type Urgency } from './pricing.ts';

/** Every statement of the cases schema, one function each; the transaction or client comes first. */

type Db = Sql | Tx;

export interface CaseRow {
  id: string;
  ownerId: string;
  status: CaseStatus;
  title: string;
  specialty: string | null;
  urgency: Urgency;
  preferredProfessionalId: string | null;
  priceAmount: string | number;
  priceCurrency: Currency;
  questions: string[];
  assignedProfessionalId: string | null;
  reviewerId: string | null;
  opinionDueAt: Date | null;
  paidAt: Date | null;
  /** When the `flag-overdue-cases` sweep found its promised turnaround missed before delivery; null otherwise. */
  slaBreachedAt: Date | null;
  /** The records of the case and their declared bytes, pending intents included (they reserve the room). */
  documentCount: number;
  documentBytes: string | number;
  createdAt: Date;
  updatedAt: Date;
  /** created_at as PostgreSQL prints it, microseconds kept (a Date has only milliseconds): the keyset cursor. */
  createdKey: string;
}

export interface TimelineRow {
  at: Date;
  status: CaseStatus;
  note: string | null;
}

/**
 * Inserts a new case (a draft).
 *
 * @example
 * await insertCase(tx, { id, ownerId, title, specialty: null, urgency: 'standard', preferredProfessionalId: null, priceAmount: 29000, priceCurrency: 'EUR', questions });
 */
export async function insertCase(
  tx: Tx,
  row: { id: string; ownerId: string; title: string; specialty: string | null; urgency: Urgency; preferredProfessionalId: string | null; priceAmount: number; priceCurrency: Currency; questions: string[] },
): Promise<CaseRow> {
  const [inserted] = await tx<CaseRow[]>`
    insert into cases.cases ${tx({ ...row, questions: tx.json(row.questions) })}
    returning *, created_at::text as created_key`;
  return inserted!;
}

/**
 * Appends one row to a case's timeline and answers how many seconds the case spent in the status it leaves (since
 * its previous row, on the database's clock; undefined for its first row) — in the same statement, for the metrics.
 *
 * @example
 * await insertTimeline(tx, { caseId, status: 'cancelled', note: 'cancelled by the patient' }); // 5400.2
 */
export async function insertTimeline(tx: Tx, row: { caseId: string; status: CaseStatus; note: string | null }): Promise<number | undefined> {
  const [inserted] = await tx<{ seconds: number | null }[]>`
    with previous as (select at from cases.timeline where case_id = ${row.caseId} order by id desc limit 1)
    insert into cases.timeline (case_id, status, note) values (${row.caseId}, ${row.status}, ${row.note})
    returning extract(epoch from at - (select at from previous))::float8 as seconds`;
  return inserted?.seconds ?? undefined;
}

/**
 * The case with this id, or undefined; `forUpdate` locks the row until the transaction ends.
 *
 * @example
 * const row = await findCase(tx, id, { forUpdate: true });
 */
export async function findCase(sql: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<CaseRow | undefined> {
  const [row] = options.forUpdate
    ? await sql<CaseRow[]>`select *, created_at::text as created_key from cases.cases where id = ${id} for update`
    : await sql<CaseRow[]>`select *, created_at::text as created_key from cases.cases where id = ${id}`;
  return row;
}

/**
 * A case's timeline, oldest first.
 *
 * @example
 * await timelineOf(tx, caseId);
 */
export async function timelineOf(sql: Db, caseId: string): Promise<TimelineRow[]> {
  return sql<TimelineRow[]>`select at, status, note from cases.timeline where case_id = ${caseId} order by id`;
}

/**
 * Sets a case's status.
 *
 * @example
 * await updateStatus(tx, id, 'cancelled');
 */
export async function updateStatus(tx: Tx, id: string, status: CaseStatus): Promise<void> {
  await tx`update cases.cases set status = ${status}, updated_at = now() where id = ${id}`;
}

/** Where a page starts: after the case with this creation time and id (newest first). */
export interface Cursor {
  createdKey: string;
  id: string;
}

/** Whose cases a list shows: one patient's, those a professional writes or reviews, or all (ops). */
export type ListScope = { ownerId: string } | { professionalId: string } | { all: true };

/**
 * One page of cases, newest first, keyset on (created_at, id), within `scope`.
 * Returns up to `limit + 1` rows so the caller can tell whether another page follows.
 *
 * @example
 * await listCases(tx, { scope: { ownerId: principal.id }, after: undefined, limit: 20 });
 */
export async function listCases(sql: Db, query: { scope: ListScope; after: Cursor | undefined; limit: number }): Promise<CaseRow[]> {
  const { scope } = query;
  const owner =
    'ownerId' in scope
      ? sql`owner_id = ${scope.ownerId}`
      : 'professionalId' in scope
        ? sql`(assigned_professional_id = ${scope.professionalId} or reviewer_id = ${scope.professionalId})`
        : sql`true`;
  const after = query.after ? sql`(created_at, id) < (${query.after.createdKey}::timestamptz, ${query.after.id}::uuid)` : sql`true`;
  return sql<CaseRow[]>`
    select *, created_at::text as created_key from cases.cases
    where ${owner} and ${after}
    order by created_at desc, id desc
    limit ${query.limit + 1}`;
}

/**
 * The status a case had at `instant` (the latest timeline row not after it), or undefined before it existed.
 *
 * @example
 * await statusAt(tx, caseId, promisedBy); // 'matching'
 */
export async function statusAt(tx: Tx, caseId: string, instant: Date): Promise<CaseStatus | undefined> {
  const [row] = await tx<{ status: CaseStatus }[]>`
    select status from cases.timeline where case_id = ${caseId} and at <= ${instant} order by id desc limit 1`;
  return row?.status;
}

/** A paid case still open whose promise ran out, as the SLA sweep reads it. */
export type OverdueCase = Pick<CaseRow, 'id' | 'ownerId' | 'status' | 'urgency' | 'paidAt'>;

/**
 * Paid cases not yet delivered (nor closed, cancelled or refunded) whose promised turnaround ran out before `now`
 * and that are not flagged yet, oldest payment first, locked; rows another sweep or a move holds are skipped.
 * `caseIds` restricts it (tests share one database).
 *
 * @example
 * const overdue = await lockOverdueCases(tx, { now, limit: 100 });
 */
export async function lockOverdueCases(tx: Tx, query: { now: Date; limit: number; caseIds?: readonly string[] | undefined }): Promise<OverdueCase[]> {
  // A promise runs out turnaround hours after payment: per urgency, a case is late once paid before now − hours.
  const paidBefore = URGENCIES.map((u) => new Date(query.now.getTime() - TURNAROUND_HOURS[u] * 3_600_000).toISOString());
  const scope = query.caseIds ? tx`and c.id = any(${query.caseIds as string[]}::uuid[])` : tx``;
  return tx<OverdueCase[]>`
    select c.id, c.owner_id, c.status, c.urgency, c.paid_at
    from cases.cases c
    join unnest(${URGENCIES as unknown as string[]}::text[], ${paidBefore}::timestamptz[]) as late (urgency, paid_before) on late.urgency = c.urgency
    where c.paid_at is not null and c.sla_breached_at is null and c.status not in ('delivered', 'closed', 'cancelled', 'refunded')
      and c.paid_at < late.paid_before ${scope}
    order by c.paid_at
    limit ${query.limit}
    for update of c skip locked`;
}

/**
 * Records that a case's promise was found missed at `at`; false if it already was (so two sweeps flag it once).
 *
 * @example
 * if (await markSlaBreached(tx, id, now)) await emit(tx, CaseSlaBreachedV1, …);
 */
export async function markSlaBreached(tx: Tx, id: string, at: Date): Promise<boolean> {
  const rows = await tx`update cases.cases set sla_breached_at = ${at} where id = ${id} and sla_breached_at is null returning id`;
  return rows.length === 1;
}
