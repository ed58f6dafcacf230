import { AssignmentRevokedV1, OfferExpiredV1, ProfessionalPausedV1, ReviewRevokedV1 } from '../../events/matching.ts';
import { emit } from '../../shared/bus/emit.ts';
import { lockNamed, transaction, type Sql } from '../../shared/db/index.ts';
import { countExpiries, endAssignment, lockOverdue } from './assignment-queries.ts';
import type { MatchingSettings } from './config.ts';
import { closeOpenOffers, findRequest, lockExpiredRequests, openOfferCount, setRequest } from './offer-queries.ts';
import { withdrawOffersOfPaused } from './pause.ts';
import { openNextTier } from './tiers.ts';

/** How many searches one sweep transaction handles; the next tick (or a loop) takes the rest. */
const BATCH = 100;

/** Restricts a sweep to some cases (tests share one database with other suites' cases). */
export interface SweepScope {
  caseIds?: string[];
  sql?: Sql;
}

/**
 * `expire-offers`: expires every open offer whose time ran out, counts it against its professional (pausing those
 * who let `pauseAfterExpired` expire in a row, which withdraws their other open offers: see pause.ts) and opens the
 * next tier of each search left without open offers (also one a pause emptied while another transaction held it).
 * Safe when two run at once: they take turns, batch by batch (a named lock) — searches of different cases share
 * professionals, whose streak rows two sweeps would otherwise lock in different orders (a deadlock CI met); repeating
 * it changes nothing (an expired offer is no longer open).
 *
 * @example
 * await expireOffers(settings); // { expired: 4, escalated: 1 }
 */
export async function expireOffers(settings: MatchingSettings, scope: SweepScope = {}): Promise<{ expired: number; escalated: number }> {
  const totals = { expired: 0, escalated: 0 };
  for (;;) {
    const batch = await transaction(async (tx) => {
      await lockNamed(tx, 'matching.expire-offers');
      const now = settings.now();
      const requests = await lockExpiredRequests(tx, now, BATCH, scope.caseIds);
      for (const request of requests) {
        const expired = await closeOpenOffers(tx, request.id, 'expired', now);
        totals.expired += expired.length;
        for (const o of expired) {
          await emit(tx, OfferExpiredV1, {
            source: 'matching', subject: o.caseId,
            data: { offerId: o.id, caseId: o.caseId, professionalId: o.professionalId, kind: o.kind, tier: o.tier },
          });
        }
        const paused = await countExpiries(tx, expired.map((o) => o.professionalId), settings.pauseAfterExpired, now);
        for (const p of paused) {
          await emit(tx, ProfessionalPausedV1, { source: 'matching', subject: p.id, data: { professionalId: p.id, expiredInARow: p.expiredStreak } });
        }
        totals.escalated += (await withdrawOffersOfPaused(tx, settings, paused.map((p) => p.id), now)).widened;
        if ((await openOfferCount(tx, request.id)) === 0) {
          await openNextTier(tx, settings, request);
          totals.escalated++;
        }
      }
      return requests.length;
    }, scope.sql);
    if (batch < BATCH) return totals;
  }
}

/**
 * `reclaim-overdue`: takes back every opinion whose deadline passed without a submitted opinion, and every review
 * whose deadline passed without a decision — the assignment is revoked (the professional's on-time rate drops),
 * assignment.revoked.v1 (opinions) or review.revoked.v1 (reviews) is emitted with 'deadline-missed', and the
 * opinion or review is offered again from the top, never to them. Safe to run twice at once and to repeat.
 *
 * @example
 * await reclaimOverdue(settings); // { reclaimed: 1 }
 */
export async function reclaimOverdue(settings: MatchingSettings, scope: SweepScope = {}): Promise<{ reclaimed: number }> {
  let reclaimed = 0;
  for (;;) {
    const batch = await transaction(async (tx) => {
      const now = settings.now();
      const overdue = await lockOverdue(tx, now, BATCH, scope.caseIds);
      for (const a of overdue) {
        if (!(await endAssignment(tx, a.id, 'revoked', now))) continue;
        reclaimed++;
        if (a.kind === 'opinion') {
          await emit(tx, AssignmentRevokedV1, {
            source: 'matching', subject: a.caseId,
            data: { caseId: a.caseId, professionalId: a.professionalId, reason: 'deadline-missed' },
          });
        } else {
          await emit(tx, ReviewRevokedV1, {
            source: 'matching', subject: a.caseId,
            data: { caseId: a.caseId, professionalId: a.professionalId, round: a.round, reason: 'deadline-missed' },
          });
        }
        await setRequest(tx, a.requestId, { state: 'open', tier: -1, nextGeneration: true, now });
        const request = await findRequest(tx, a.requestId);
        if (request && (await openOfferCount(tx, request.id)) === 0) await openNextTier(tx, settings, request);
      }
      return overdue.length;
    }, scope.sql);
    if (batch < BATCH) return { reclaimed };
  }
}
