import { randomUUID } from 'node:crypto';
import { CaseRescueNeededV1, OfferCreatedV1 } from '../../events/matching.ts';
import { GRADES, type Grade } from '../../shared/auth/grades.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import { candidates, type Candidate, type CandidateQuery } from './candidates.ts';
import { adjacentTo, feeFor, type MatchingSettings } from './config.ts';
import { gradeRank, primaryLanguages } from './eligibility.ts';
import { insertOffers, setRequest, type RequestRow } from './offer-queries.ts';
import { findCaseView, findPatient } from './view-queries.ts';

/**
 * The escalation ladder. Opinions: (0) the patient's preferred professional alone, (1) the best-fit few, (2) every
 * eligible professional of the specialty, (3) adjacent specialties or one grade lower (peer review mandatory), then
 * the ops rescue queue. Reviews: (1) the best-fit few seniors, (2) every senior, then rescue.
 *
 * @example
 * TIERS.opinion; // [0, 1, 2, 3]
 */
export const TIERS: Record<'opinion' | 'review', readonly number[]> = { opinion: [0, 1, 2, 3], review: [1, 2] };

/**
 * Whether an offer won at `tier` makes peer review mandatory: tier 3, a triage disagreement, or a review itself.
 *
 * @example
 * peerReviewFor('opinion', 3, false); // true
 */
export const peerReviewFor = (kind: 'opinion' | 'review', tier: number, disagreement: boolean) => kind === 'review' || tier === 3 || disagreement;

/**
 * Opens the first tier after the search's current one that finds anybody: inserts its offers (event per offer) and
 * moves the search to it; when no tier is left, puts the search in the rescue queue. The caller holds the lock.
 *
 * @example
 * const opened = await openNextTier(tx, settings, request); // { tier: 1, offers: 3 } or { tier: 'rescue', offers: 0 }
 */
export async function openNextTier(tx: Tx, settings: MatchingSettings, request: RequestRow): Promise<{ tier: number | 'rescue'; offers: number }> {
  const now = settings.now();
  const base = await baseQuery(tx, settings, request);
  for (const tier of TIERS[request.kind].filter((t) => t > request.tier)) {
    const picked = await pickTier(tx, settings, request, base, tier);
    if (picked.length === 0) continue;
    const window = tier === 0 ? settings.preferredHoldMs[request.urgency] : settings.offerWindowMs[request.urgency];
    const expiresAt = new Date(now.getTime() + window);
    const rows = picked.map((p) => {
      const fee = feeFor(settings, p.grade, request.urgency, request.kind);
      return {
        id: randomUUID(), requestId: request.id, caseId: request.caseId, professionalId: p.id, kind: request.kind, tier,
        generation: request.generation, urgency: request.urgency, feeAmount: fee.amount, feeCurrency: fee.currency, expiresAt, createdAt: now,
      };
    });
    await insertOffers(tx, rows);
    for (const o of rows) {
      await emit(tx, OfferCreatedV1, {
        source: 'matching', subject: o.caseId,
        data: { offerId: o.id, caseId: o.caseId, professionalId: o.professionalId, kind: o.kind, tier, urgency: o.urgency, expiresAt: expiresAt.toISOString() },
      });
    }
    await setRequest(tx, request.id, { state: 'open', tier, now });
    return { tier, offers: rows.length };
  }
  await setRequest(tx, request.id, { state: 'rescue', now });
  await emit(tx, CaseRescueNeededV1, {
    source: 'matching', subject: request.caseId,
    data: { caseId: request.caseId, kind: request.kind, specialty: request.specialty, urgency: request.urgency },
  });
  return { tier: 'rescue', offers: 0 };
}

type Base = Omit<CandidateQuery, 'specialties' | 'minRank' | 'exactRank' | 'only' | 'limit'> & { preferredId: string | null };

/** What every tier of this search shares: the patient's facts (reviews need none), cap and exclusions. */
async function baseQuery(tx: Tx, settings: MatchingSettings, request: RequestRow): Promise<Base> {
  const view = await findCaseView(tx, request.caseId);
  const ownerId = view?.ownerId ?? null;
  const patient = ownerId ? await findPatient(tx, ownerId) : undefined;
  const forOpinion = request.kind === 'opinion';
  const languages = view?.patientLanguages.length ? view.patientLanguages : (patient?.languages ?? []);
  return {
    caseId: request.caseId,
    requestId: request.id,
    generation: request.generation,
    kind: request.kind,
    ownerId,
    fitRank: gradeRank(request.minGrade),
    // A reviewer reads the opinion, not the patient: licence and language rules are the author's.
    country: forOpinion ? (view?.patientCountry ?? patient?.country ?? null) : null,
    languages: forOpinion ? primaryLanguages(languages) : [],
    activeCaseCap: settings.activeCaseCap,
    excluded: request.excludeIds,
    preferredId: forOpinion ? (view?.preferredProfessionalId ?? null) : null,
  };
}

async function pickTier(tx: Tx, settings: MatchingSettings, request: RequestRow, base: Base, tier: number): Promise<Candidate[]> {
  const { preferredId, ...query } = base;
  const minRank = gradeRank(request.minGrade);
  const own = { ...query, specialties: [request.specialty], minRank };
  switch (tier) {
    case 0:
      return preferredId ? candidates(tx, { ...own, only: [preferredId], limit: 1 }) : [];
    case 1:
      return candidates(tx, { ...own, limit: settings.bestFitCount });
    case 2:
      return candidates(tx, own);
    default: {
      const adjacent = adjacentTo(settings, request.specialty);
      const wider = adjacent.length ? await candidates(tx, { ...query, specialties: adjacent, minRank }) : [];
      const lower: Grade | undefined = GRADES[minRank - 2];
      const below = lower ? await candidates(tx, { ...own, exactRank: gradeRank(lower) }) : [];
      const seen = new Set<string>();
      return [...below, ...wider].filter((c) => !seen.has(c.id) && seen.add(c.id));
    }
  }
}
