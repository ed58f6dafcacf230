import type { Grade } from '../../shared/auth/grades.ts';
import type { Sql, Tx } from '../../shared/db/index.ts';
import type { OfferKind } from './offer-queries.ts';

/** The eligibility rules of eligibility.ts as one SQL selection, ranked best fit first. */

export interface CandidateQuery {
  caseId: string;
  requestId: string;
  generation: number;
  kind: OfferKind;
  ownerId: string | null;
  specialties: string[];
  /** Grade at least this rank (G1 = 1)… */
  minRank: number;
  /** …or exactly this rank (tier 3's one grade lower). */
  exactRank?: number;
  /** The rank grade fit is measured from (closest above it first). */
  fitRank: number;
  /** Null: not known, nobody is excluded for it. */
  country: string | null;
  /** Primary subtags; empty: not known. */
  languages: string[];
  activeCaseCap: number;
  excluded: string[];
  /** Consider only these professionals (tier 0: the preferred one). */
  only?: string[];
  limit?: number;
}

export interface Candidate {
  id: string;
  grade: Grade;
}

/**
 * The professionals who may be offered this case now, best fit first: closest grade at or above the minimum, then
 * acceptance rate, on-time rate (both smoothed so newcomers are not last) and least load. Excludes whoever declined
 * or lost this case, and whoever was already offered it in this generation of the search.
 *
 * @example
 * const best = await candidates(tx, { caseId, requestId, generation: 1, kind: 'opinion', ownerId, specialties: ['cardiology'], minRank: 2, fitRank: 2, country: 'FR', languages: ['fr'], activeCaseCap: 5, excluded: [], limit: 3 });
 */
export async function candidates(sql: Sql | Tx, q: CandidateQuery): Promise<Candidate[]> {
  const grade = q.exactRank === undefined ? sql`p.grade_rank >= ${q.minRank}` : sql`p.grade_rank = ${q.exactRank}`;
  const only = q.only ? sql`and p.id = any(${q.only}::text[])` : sql``;
  const limit = q.limit === undefined ? sql`` : sql`limit ${q.limit}`;
  return sql<Candidate[]>`
    select p.id, p.grade from matching.professionals p
    where p.status = 'active' and p.verified and p.mfa and p.paused_at is null
      and p.specialties && ${q.specialties}::text[]
      and ${grade}
      and (${q.country}::text is null or p.license_country = ${q.country}::text)
      and (cardinality(${q.languages}::text[]) = 0 or p.languages && ${q.languages}::text[])
      and p.active_cases < ${q.activeCaseCap}
      and p.id <> coalesce(${q.ownerId}::text, '')
      and not (p.id = any(${q.excluded}::text[]))
      ${only}
      and not exists (
        select 1 from matching.offers o
        where o.case_id = ${q.caseId} and o.professional_id = p.id and o.kind = ${q.kind}
          and (o.state = 'declined' or (o.request_id = ${q.requestId}::uuid and o.generation = ${q.generation})))
      and not exists (
        select 1 from matching.assignments a
        where a.case_id = ${q.caseId} and a.professional_id = p.id and a.state = 'revoked')
    order by p.grade_rank - ${q.fitRank},
      (p.offers_accepted + 1)::float8 / (p.offers_received + 2) desc,
      (p.opinions_on_time + 1)::float8 / (p.opinions_on_time + p.opinions_late + 2) desc,
      p.active_cases, p.id
    ${limit}`;
}
