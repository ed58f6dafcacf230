import type { Sql, Tx } from '../../shared/db/index.ts';
import type { OfferKind } from './offer-queries.ts';

/** Statements on assignments and the professional counters they move (load, on-time rate, pause). */

export interface AssignmentRow {
  id: string;
  requestId: string;
  offerId: string;
  caseId: string;
  professionalId: string;
  kind: OfferKind;
  tier: number;
  peerReviewRequired: boolean;
  state: 'active' | 'done' | 'revoked' | 'cancelled';
  dueAt: Date;
}

/**
 * Creates the active assignment of an accepted offer and counts it in the winner's load. The partial unique index
 * refuses a second active assignment of the case (SQLSTATE 23505), whatever path tried it.
 *
 * @example
 * await insertAssignment(tx, { id, requestId, offerId, caseId, professionalId, kind: 'opinion', tier: 1, peerReviewRequired: false, dueAt, createdAt: now });
 */
export async function insertAssignment(
  tx: Tx,
  a: { id: string; requestId: string; offerId: string; caseId: string; professionalId: string; kind: OfferKind; tier: number; peerReviewRequired: boolean; dueAt: Date; createdAt: Date },
): Promise<void> {
  await tx`insert into matching.assignments ${tx(a)}`;
  await tx`
    update matching.professionals set active_cases = active_cases + 1, offers_accepted = offers_accepted + 1, expired_streak = 0
    where id = ${a.professionalId}`;
}

/**
 * Ends a professional's active assignment of a case (opinion submitted, review done), counting it on time or late.
 *
 * @example
 * const ended = await finishAssignment(tx, { caseId, kind: 'opinion', professionalId, now });
 */
export async function finishAssignment(tx: Tx, f: { caseId: string; kind: OfferKind; professionalId: string; now: Date }): Promise<AssignmentRow | undefined> {
  const [row] = await tx<AssignmentRow[]>`
    update matching.assignments set state = 'done', ended_at = ${f.now}
    where case_id = ${f.caseId} and kind = ${f.kind} and professional_id = ${f.professionalId} and state = 'active'
    returning *`;
  if (!row) return undefined;
  const onTime = row.dueAt.getTime() >= f.now.getTime();
  await tx`
    update matching.professionals set active_cases = greatest(active_cases - 1, 0),
      opinions_on_time = opinions_on_time + ${onTime ? 1 : 0}, opinions_late = opinions_late + ${onTime ? 0 : 1}
    where id = ${row.professionalId}`;
  await tx`update matching.requests set state = 'done', updated_at = ${f.now} where id = ${row.requestId} and state = 'assigned'`;
  return row;
}

/**
 * Ends an active assignment as revoked (deadline missed: counted late) or cancelled (the case was cancelled).
 *
 * @example
 * await endAssignment(tx, assignment.id, 'revoked', now);
 */
export async function endAssignment(tx: Tx, id: string, state: 'revoked' | 'cancelled', now: Date): Promise<AssignmentRow | undefined> {
  const [row] = await tx<AssignmentRow[]>`
    update matching.assignments set state = ${state}, ended_at = ${now} where id = ${id} and state = 'active' returning *`;
  if (!row) return undefined;
  await tx`
    update matching.professionals set active_cases = greatest(active_cases - 1, 0),
      opinions_late = opinions_late + ${state === 'revoked' ? 1 : 0}
    where id = ${row.professionalId}`;
  return row;
}

/**
 * The active assignments of a case.
 *
 * @example
 * const active = await activeAssignments(tx, caseId);
 */
export async function activeAssignments(sql: Sql | Tx, caseId: string): Promise<AssignmentRow[]> {
  return sql<AssignmentRow[]>`select * from matching.assignments where case_id = ${caseId} and state = 'active'`;
}

/**
 * Assignments (opinions and reviews) past their deadline, with their search locked and its round (for a review
 * reopened by a resubmission, the opinion's review round it owes); rows another sweep holds are skipped.
 *
 * @example
 * const overdue = await lockOverdue(tx, now, 100);
 */
export async function lockOverdue(tx: Tx, now: Date, limit: number, caseIds?: string[]): Promise<(AssignmentRow & { round: number })[]> {
  const scope = caseIds ? tx`and a.case_id = any(${caseIds}::text[])` : tx``;
  return tx<(AssignmentRow & { round: number })[]>`
    select a.*, coalesce(r.review_round, r.round) as round from matching.assignments a join matching.requests r on r.id = a.request_id
    where a.state = 'active' and a.due_at <= ${now} and r.state = 'assigned' ${scope}
    order by a.due_at
    limit ${limit}
    for update of r, a skip locked`;
}

/**
 * Counts expired offers against their professionals; returns those who now reach `threshold` in a row and were
 * paused by it (each only once).
 *
 * @example
 * const paused = await countExpiries(tx, ['p1', 'p2'], 3, now);
 */
export async function countExpiries(tx: Tx, professionalIds: string[], threshold: number, now: Date): Promise<{ id: string; expiredStreak: number }[]> {
  if (professionalIds.length === 0) return [];
  // One increment per expired offer, even when one professional lost several at once.
  for (const id of professionalIds) await tx`update matching.professionals set expired_streak = expired_streak + 1 where id = ${id}`;
  return tx<{ id: string; expiredStreak: number }[]>`
    update matching.professionals set paused_at = ${now}
    where id = any(${professionalIds}::text[]) and paused_at is null and expired_streak >= ${threshold}
    returning id, expired_streak`;
}

/**
 * Resets a professional's streak after an answer (accept or decline).
 *
 * @example
 * await resetStreak(tx, professionalId);
 */
export async function resetStreak(tx: Tx, professionalId: string): Promise<void> {
  await tx`update matching.professionals set expired_streak = 0 where id = ${professionalId}`;
}

/**
 * Lifts matching's pause; returns whether the professional was paused.
 *
 * @example
 * const resumed = await resume(tx, professionalId);
 */
export async function resume(tx: Tx, professionalId: string): Promise<boolean> {
  const rows = await tx`
    update matching.professionals set paused_at = null, expired_streak = 0 where id = ${professionalId} and paused_at is not null returning id`;
  return rows.length > 0;
}
