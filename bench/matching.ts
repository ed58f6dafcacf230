import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { transaction, type Sql } from '../shared/db/index.ts';
import { candidates, type CandidateQuery } from '../functions/matching/candidates.ts';
import { settingsWith } from '../functions/matching/config.ts';
import { insertOffers, insertRequest } from '../functions/matching/offer-queries.ts';
import { acceptOffer } from '../functions/matching/respond.ts';
import { median, percentile } from './support/stats.ts';
import { measured, type Row } from './support/report.ts';
import { benchDatabase } from './support/database.ts';

export interface MatchingBenchOptions {
  /** Professionals in the pool the offer set is chosen from. */
  professionals: number;
  /** Timed choices of the offer set (and as many baseline SELECTs). */
  selections: number;
  /** Uncontended accepts, each of a fresh offer. */
  singles: number;
  /** Rounds of 64 concurrent accepts of one offer. */
  contendedRounds: number;
}

export const matchingDefaults: MatchingBenchOptions = { professionals: 10_000, selections: 30, singles: 60, contendedRounds: 20 };

const CONTENDERS = 64;

/**
 * Matching: (1) choosing a case's offer set among `professionals` (the eligibility SQL, every tier-2 candidate
 * ranked) vs one indexed SELECT of the same rows by primary key, target under 50 ms; (2) accept latency p50/p99
 * under 64-way contention for one offer vs a single uncontended accept. Runs against the services' PostgreSQL
 * through PgBouncer when it answers (BENCH_DATABASE_URL overrides), else an embedded PGlite.
 *
 * @example
 * const rows = await benchMatching(matchingDefaults);
 */
export async function benchMatching(options: MatchingBenchOptions = matchingDefaults): Promise<Row[]> {
  // A scratch database of its own (dropped after), so no run leaves 10,000 rows behind.
  const { sql, where, close } = await benchDatabase('bench_matching', 20);
  try {
    return [...(await selection(sql, options, where)), ...(await accepts(sql, options, where))];
  } finally {
    await close();
  }
}

async function selection(sql: Sql, o: MatchingBenchOptions, where: string): Promise<Row[]> {
  // A specialty of its own, so the pool is exactly the professionals made here.
  const specialty = `bench-${randomBytes(4).toString('hex')}`;
  await sql`
    insert into matching.professionals (id, status, verified, mfa, grade, grade_rank, specialties, languages, license_country,
      active_cases, offers_received, offers_accepted, opinions_on_time, opinions_late)
    select 'bench-' || ${specialty} || '-' || n, 'active', true, true, 'G' || (1 + n % 4), 1 + n % 4, array[${specialty}],
      case when n % 5 = 0 then array['de'] else array['fr', 'en'] end, case when n % 7 = 0 then 'BE' else 'FR' end,
      n % 6, n % 50, n % 20, n % 30, n % 4
    from generate_series(1, ${o.professionals}) as n`;
  await sql`analyze matching.professionals`;
  const query: CandidateQuery = {
    caseId: randomUUID(), requestId: randomUUID(), generation: 1, kind: 'opinion', ownerId: randomUUID(), specialties: [specialty],
    minRank: 2, fitRank: 2, country: 'FR', languages: ['fr'], activeCaseCap: 5, excluded: [],
  };
  const chosen = await candidates(sql, query);
  const ids = chosen.map((c) => c.id);
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < o.selections; i++) {
    let t = performance.now();
    await candidates(sql, query);
    ours.push(performance.now() - t);
    t = performance.now();
    await sql`select id, grade from matching.professionals where id = any(${ids}::text[])`;
    base.push(performance.now() - t);
  }
  const p50 = median(ours);
  return [
    {
      ...measured('matching: choose offer set', 'ms', p50, median(base), undefined, {
        note: `${o.professionals} professionals, ${ids.length} eligible and ranked (p50 of ${o.selections}) vs SELECT of the same rows by primary key; target < 50 ms: ${p50 < 50 ? 'met' : 'missed'} (${where})`,
        details: { ours, base, eligible: ids.length },
      }),
      status: p50 < 50 ? 'PASS' : 'MISS',
    },
  ];
}

async function accepts(sql: Sql, o: MatchingBenchOptions, where: string): Promise<Row[]> {
  const settings = settingsWith();
  const pro = `bench-pro-${randomUUID()}`;
  await sql`insert into matching.professionals (id, status, verified, mfa, grade, grade_rank) values (${pro}, 'active', true, true, 'G2', 2)`;
  const freshOffer = () =>
    transaction(async (tx) => {
      const now = new Date();
      const request = await insertRequest(tx, { id: randomUUID(), caseId: randomUUID(), kind: 'opinion', round: 1, specialty: 'cardiology', minGrade: 'G2', urgency: 'standard', excludeIds: [], now });
      const id = randomUUID();
      await insertOffers(tx, [{ id, requestId: request!.id, caseId: request!.caseId, professionalId: pro, kind: 'opinion', tier: 1, generation: 1, urgency: 'standard', feeAmount: 12_000, feeCurrency: 'EUR', expiresAt: new Date(now.getTime() + 3_600_000), createdAt: now }]);
      return id;
    }, sql);
  const timed = async (offerId: string) => {
    const t = performance.now();
    try {
      await acceptOffer(settings, { offerId, professionalId: pro }, sql);
    } catch {
      // 409 for the losers: their latency counts the same
    }
    return performance.now() - t;
  };
  const single: number[] = [];
  for (let i = 0; i < o.singles; i++) single.push(await timed(await freshOffer()));
  const contended: number[] = [];
  for (let r = 0; r < o.contendedRounds; r++) {
    const offerId = await freshOffer();
    contended.push(...(await Promise.all(Array.from({ length: CONTENDERS }, () => timed(offerId)))));
  }
  const note = `${o.contendedRounds} rounds of ${CONTENDERS} concurrent accepts of one offer vs ${o.singles} single accepts (${where})`;
  return [
    measured('matching: accept p50, 64-way vs alone', 'ms', median(contended), median(single), undefined, { note, details: { single, contended } }),
    measured('matching: accept p99, 64-way vs alone', 'ms', percentile(contended, 0.99), percentile(single, 0.99), undefined, { note }),
  ];
}
