import { randomUUID } from 'node:crypto';
import { OfferAcceptedV1, OfferDeclinedV1, OfferWithdrawnV1 } from '../../events/matching.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction, type Sql, type Tx } from '../../shared/db/index.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { insertAssignment, resetStreak } from './assignment-queries.ts';
import type { MatchingSettings } from './config.ts';
import { claimRequest, closeOpenOffers, findOffer, lockRequestOfOffer, openOfferCount, respondToOffer, type OfferRow } from './offer-queries.ts';
import { openNextTier, peerReviewFor } from './tiers.ts';
import { findCaseView } from './view-queries.ts';

const notOpen = (offer: OfferRow, now: Date) =>
  new HttpProblem(409, 'offer-closed', {
    detail: offer.state === 'open' && offer.expiresAt <= now ? 'This offer has expired.' : 'This offer is no longer open.',
    state: offer.state === 'open' && offer.expiresAt <= now ? 'expired' : offer.state,
  });

/**
 * Accepts an offer. One conditional write decides (see `claimRequest`): the single winner's transaction also
 * withdraws every other open offer of the case, creates the assignment (the partial unique index is the last
 * guard) and emits offer.accepted.v1. Everyone else gets 409 (also a paused professional, whose offers were
 * withdrawn); an open offer of a professional no longer active is 403; one that is not the caller's is 404.
 *
 * @example
 * const { caseId } = await acceptOffer(settings, { offerId, professionalId });
 */
export async function acceptOffer(settings: MatchingSettings, input: { offerId: string; professionalId: string }, sql?: Sql): Promise<{ caseId: string }> {
  const now = settings.now();
  try {
    return await transaction(async (tx) => {
      const claim = await claimRequest(tx, input.offerId, input.professionalId, now);
      if (!claim.offer) throw problems.notFound();
      if (!claim.claimedRequestId) {
        // A stale offer is 409 whoever asks: a pause or suspension withdraws the offers it leaves unanswerable.
        const stale = claim.offer.state !== 'open' || claim.offer.expiresAt <= now;
        if (!stale && claim.professionalStatus !== 'active') throw new HttpProblem(403, 'not-active', { detail: 'Only active professionals may accept offers.' });
        throw notOpen(claim.offer, now);
      }
      const requestId = claim.claimedRequestId;
      const offer = await respondToOffer(tx, input.offerId, 'accepted', now);
      if (!offer) throw problems.conflict('offer-closed', 'This offer is no longer open.');
      await withdraw(tx, requestId, 'taken', now);
      const view = await findCaseView(tx, offer.caseId);
      const peerReviewRequired = peerReviewFor(offer.kind, offer.tier, view?.disagreement ?? false);
      const turnaround = offer.kind === 'opinion' ? settings.opinionTurnaroundMs : settings.reviewTurnaroundMs;
      const dueAt = new Date(now.getTime() + turnaround[offer.urgency]);
      await insertAssignment(tx, {
        id: randomUUID(), requestId, offerId: offer.id, caseId: offer.caseId, professionalId: input.professionalId,
        kind: offer.kind, tier: offer.tier, peerReviewRequired, dueAt, createdAt: now,
      });
      await emit(tx, OfferAcceptedV1, {
        source: 'matching', subject: offer.caseId,
        data: { offerId: offer.id, caseId: offer.caseId, professionalId: input.professionalId, kind: offer.kind, tier: offer.tier, peerReviewRequired, opinionDueAt: dueAt.toISOString() },
      });
      return { caseId: offer.caseId };
    }, sql);
  } catch (error) {
    // The partial unique index caught a second active assignment: the case is taken.
    if ((error as { code?: string }).code === '23505') throw problems.conflict('offer-closed', 'This case is already assigned.');
    throw error;
  }
}

/**
 * Declines an offer: recorded (never offered this case again); when it was the last open offer of its tier, the
 * next tier opens at once. Not open any more → 409; not the caller's → 404.
 *
 * @example
 * await declineOffer(settings, { offerId, professionalId, reason: 'on leave' });
 */
export async function declineOffer(settings: MatchingSettings, input: { offerId: string; professionalId: string; reason: string | null }): Promise<void> {
  const now = settings.now();
  await transaction(async (tx) => {
    const request = await lockRequestOfOffer(tx, input.offerId, input.professionalId);
    if (!request) throw problems.notFound();
    const offer = await findOffer(tx, input.offerId, input.professionalId);
    if (!offer || offer.state !== 'open' || offer.expiresAt <= now) throw notOpen(offer!, now);
    await respondToOffer(tx, offer.id, 'declined', now, input.reason);
    await resetStreak(tx, input.professionalId);
    await emit(tx, OfferDeclinedV1, {
      source: 'matching', subject: offer.caseId,
      data: { offerId: offer.id, caseId: offer.caseId, professionalId: offer.professionalId, kind: offer.kind },
    });
    if (request.state === 'open' && (await openOfferCount(tx, request.id)) === 0) await openNextTier(tx, settings, request);
  });
}

/**
 * Withdraws every open offer of a search, telling each professional.
 *
 * @example
 * await withdraw(tx, requestId, 'cancelled', now);
 */
export async function withdraw(tx: Tx, requestId: string, reason: 'taken' | 'cancelled', now: Date): Promise<void> {
  for (const o of await closeOpenOffers(tx, requestId, 'withdrawn', now)) {
    await emit(tx, OfferWithdrawnV1, {
      source: 'matching', subject: o.caseId,
      data: { offerId: o.id, caseId: o.caseId, professionalId: o.professionalId, reason },
    });
  }
}
