import type { Grade } from '../../shared/auth/grades.ts';
import type { Sql, Tx } from '../../shared/db/index.ts';
import type { Urgency } from './config.ts';

/** Statements on requests (one search per case and kind) and their offers. Every change locks the request first. */

type Db = Sql | Tx;
export type OfferKind = 'opinion' | 'review';

export interface RequestRow {
  id: string;
  caseId: string;
  kind: OfferKind;
  round: number;
  specialty: string;
  minGrade: Grade;
  urgency: Urgency;
  excludeIds: string[];
  state: 'open' | 'assigned' | 'rescue' | 'cancelled' | 'done';
  tier: number;
  generation: number;
  updatedAt: Date;
}

export interface OfferRow {
  id: string;
  requestId: string;
  caseId: string;
  professionalId: string;
  kind: OfferKind;
  tier: number;
  generation: number;
  urgency: Urgency;
  state: 'open' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
  feeAmount: string | number;
  feeCurrency: string;
  expiresAt: Date;
}

/**
 * Opens a search; returns undefined when this case already has one of that kind and round (a redelivery).
 *
 * @example
 * const request = await insertRequest(tx, { id, caseId, kind: 'opinion', round: 1, specialty, minGrade, urgency, excludeIds: [], now });
 */
export async function insertRequest(
  tx: Tx,
  r: { id: string; caseId: string; kind: OfferKind; round: number; specialty: string; minGrade: Grade; urgency: Urgency; excludeIds: string[]; now: Date },
): Promise<RequestRow | undefined> {
  const [row] = await tx<RequestRow[]>`
    insert into matching.requests (id, case_id, kind, round, specialty, min_grade, urgency, exclude_ids, created_at, updated_at)
    values (${r.id}, ${r.caseId}, ${r.kind}, ${r.round}, ${r.specialty}, ${r.minGrade}, ${r.urgency}, ${r.excludeIds}::text[], ${r.now}, ${r.now})
    on conflict (case_id, kind, round) do nothing
    returning *`;
  return row;
}

/**
 * Locks a case's searches (every kind and round) for the rest of the transaction.
 *
 * @example
 * const requests = await lockRequestsOfCase(tx, caseId);
 */
export async function lockRequestsOfCase(tx: Tx, caseId: string): Promise<RequestRow[]> {
  return tx<RequestRow[]>`select * from matching.requests where case_id = ${caseId} order by id for update`;
}

/**
 * Locks the search an offer belongs to, when the offer is this professional's.
 *
 * @example
 * const request = await lockRequestOfOffer(tx, offerId, professionalId);
 */
export async function lockRequestOfOffer(tx: Tx, offerId: string, professionalId: string): Promise<RequestRow | undefined> {
  const [row] = await tx<RequestRow[]>`
    select r.* from matching.requests r join matching.offers o on o.request_id = r.id
    where o.id = ${offerId} and o.professional_id = ${professionalId}
    for update of r`;
  return row;
}

/**
 * Moves a search to a tier and state (and, when taken back, to a new generation).
 *
 * @example
 * await setRequest(tx, request.id, { state: 'open', tier: 2, now });
 */
export async function setRequest(tx: Tx, id: string, s: { state: RequestRow['state']; tier?: number; nextGeneration?: boolean; now: Date }): Promise<void> {
  await tx`
    update matching.requests set state = ${s.state}, tier = coalesce(${s.tier ?? null}::smallint, tier),
      generation = generation + ${s.nextGeneration ? 1 : 0}, updated_at = ${s.now}
    where id = ${id}`;
}

/**
 * THE conditional write of an acceptance: the search of this professional's open, unexpired offer moves from open
 * to assigned, if they are still active and not paused. Exactly one concurrent caller claims it; the rest wait on the row lock,
 * re-check and claim nothing. One statement also answers why not: the offer (absent when not theirs) and their status.
 *
 * @example
 * const { offer, claimedRequestId } = await claimRequest(tx, offerId, professionalId, now);
 */
export async function claimRequest(
  tx: Tx,
  offerId: string,
  professionalId: string,
  now: Date,
): Promise<{ offer: OfferRow | undefined; claimedRequestId: string | null; professionalStatus: string | null }> {
  const [row] = await tx<(OfferRow & { claimedRequestId: string | null; professionalStatus: string | null })[]>`
    with claimed as (
      update matching.requests r set state = 'assigned', updated_at = ${now}
      from matching.offers o, matching.professionals p
      where o.id = ${offerId} and o.professional_id = ${professionalId} and o.state = 'open' and o.expires_at > ${now}
        and p.id = o.professional_id and p.status = 'active' and p.paused_at is null
        and r.id = o.request_id and r.state = 'open' and r.generation = o.generation
      returning r.id)
    select o.*, (select id from claimed) as claimed_request_id,
      (select status from matching.professionals p where p.id = o.professional_id) as professional_status
    from matching.offers o where o.id = ${offerId} and o.professional_id = ${professionalId}`;
  if (!row) return { offer: undefined, claimedRequestId: null, professionalStatus: null };
  const { claimedRequestId, professionalStatus, ...offer } = row;
  return { offer, claimedRequestId, professionalStatus };
}

/**
 * This professional's offer, whatever its state (undefined when it is not theirs).
 *
 * @example
 * const offer = await findOffer(tx, offerId, professionalId);
 */
export async function findOffer(sql: Db, offerId: string, professionalId: string): Promise<OfferRow | undefined> {
  const [row] = await sql<OfferRow[]>`select * from matching.offers where id = ${offerId} and professional_id = ${professionalId}`;
  return row;
}

/**
 * Moves one open offer to accepted or declined; undefined when it was no longer open.
 *
 * @example
 * const offer = await respondToOffer(tx, offerId, 'accepted', now);
 */
export async function respondToOffer(tx: Tx, offerId: string, state: 'accepted' | 'declined', now: Date, reason: string | null = null): Promise<OfferRow | undefined> {
  const [row] = await tx<OfferRow[]>`
    update matching.offers set state = ${state}, responded_at = ${now}, decline_reason = ${reason}
    where id = ${offerId} and state = 'open'
    returning *`;
  return row;
}

/**
 * Closes every open offer of a search (withdrawn when taken or cancelled; expired when their time ran out).
 *
 * @example
 * const withdrawn = await closeOpenOffers(tx, requestId, 'withdrawn', now);
 */
export async function closeOpenOffers(tx: Tx, requestId: string, state: 'withdrawn' | 'expired', now: Date): Promise<OfferRow[]> {
  const due = state === 'expired' ? tx`and expires_at <= ${now}` : tx``;
  return tx<OfferRow[]>`
    update matching.offers set state = ${state}, responded_at = ${now}
    where request_id = ${requestId} and state = 'open' ${due}
    returning *`;
}

/**
 * How many offers of a search are still open.
 *
 * @example
 * if ((await openOfferCount(tx, requestId)) === 0) await openNextTier(...);
 */
export async function openOfferCount(tx: Tx, requestId: string): Promise<number> {
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from matching.offers where request_id = ${requestId} and state = 'open'`;
  return row!.n;
}

/**
 * Inserts offers and counts them as received by their professionals.
 *
 * @example
 * await insertOffers(tx, [{ id, requestId, caseId, professionalId, kind: 'opinion', tier: 1, generation: 1, urgency, feeAmount, feeCurrency, expiresAt, createdAt }]);
 */
export async function insertOffers(
  tx: Tx,
  rows: { id: string; requestId: string; caseId: string; professionalId: string; kind: OfferKind; tier: number; generation: number; urgency: Urgency; feeAmount: number; feeCurrency: string; expiresAt: Date; createdAt: Date }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx`insert into matching.offers ${tx(rows)}`;
  await tx`update matching.professionals set offers_received = offers_received + 1 where id = any(${rows.map((r) => r.professionalId)}::text[])`;
}

/**
 * Searches with offers whose time ran out, or left open without any open offer (a pause withdrew the last ones
 * while another transaction held the search), locked; ones another sweep holds are skipped (it deals with them).
 *
 * @example
 * const due = await lockExpiredRequests(tx, now, 100);
 */
export async function lockExpiredRequests(tx: Tx, now: Date, limit: number, caseIds?: string[]): Promise<RequestRow[]> {
  const scope = caseIds ? tx`and r.case_id = any(${caseIds}::text[])` : tx``;
  return tx<RequestRow[]>`
    select r.* from matching.requests r
    where r.state = 'open' ${scope}
      and (exists (select 1 from matching.offers o where o.request_id = r.id and o.state = 'open' and o.expires_at <= ${now})
        or not exists (select 1 from matching.offers o where o.request_id = r.id and o.state = 'open'))
    order by r.updated_at
    limit ${limit}
    for update skip locked`;
}

/**
 * Withdraws every live open offer of these professionals (they were paused or suspended and cannot answer). One
 * whose time already ran out is left to expire-offers, which closes it as expired and counts it. Offers another
 * transaction is changing right now are skipped rather than waited for: that transaction accepts, declines,
 * expires or withdraws them, and waiting could deadlock with it (see pause.ts).
 *
 * @example
 * const withdrawn = await withdrawOffersOf(tx, [professionalId], now);
 */
export async function withdrawOffersOf(tx: Tx, professionalIds: string[], now: Date): Promise<OfferRow[]> {
  if (professionalIds.length === 0) return [];
  return tx<OfferRow[]>`
    update matching.offers set state = 'withdrawn', responded_at = ${now}
    where id in (
      select id from matching.offers
      where professional_id = any(${professionalIds}::text[]) and state = 'open' and expires_at > ${now}
      order by id for update skip locked)
    returning *`;
}

/**
 * Locks one search if it is open and nobody else holds it (undefined otherwise: its holder or the next
 * expire-offers sweep deals with it).
 *
 * @example
 * const request = await tryLockOpenRequest(tx, requestId);
 */
export async function tryLockOpenRequest(tx: Tx, id: string): Promise<RequestRow | undefined> {
  const [row] = await tx<RequestRow[]>`select * from matching.requests where id = ${id} and state = 'open' for update skip locked`;
  return row;
}

/**
 * One search by id.
 *
 * @example
 * const request = await findRequest(tx, requestId);
 */
export async function findRequest(sql: Db, id: string): Promise<RequestRow | undefined> {
  const [row] = await sql<RequestRow[]>`select * from matching.requests where id = ${id}`;
  return row;
}

/**
 * The next review round of a case (1 for the first review request).
 *
 * @example
 * const round = await nextReviewRound(tx, caseId);
 */
export async function nextReviewRound(sql: Db, caseId: string): Promise<number> {
  const [row] = await sql<{ round: number }[]>`
    select coalesce(max(round), 0)::int + 1 as round from matching.requests where case_id = ${caseId} and kind = 'review'`;
  return row!.round;
}
