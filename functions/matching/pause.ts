import type { Tx } from '../../shared/db/index.ts';
import type { MatchingSettings } from './config.ts';
import { openOfferCount, tryLockOpenRequest, withdrawOffersOf } from './offer-queries.ts';
import { openNextTier } from './tiers.ts';

/**
 * What pausing (three offers expired in a row) or leaving `active` (identity's pause or suspension) does to offers:
 * in the caller's transaction, every open offer of these professionals is withdrawn, so no case waits on someone
 * who cannot answer, and each search left without an open offer opens its next tier at once (tiers.ts).
 *
 * Nothing here waits on another transaction's locks, because callers already hold rows others may be waiting for
 * (the expire-offers sweep holds its searches and the counters of whoever's offers expired). An offer another
 * transaction is changing is skipped: that one accepts, declines, expires or withdraws it (a paused professional
 * can no longer win, see claimRequest). A search another transaction holds is skipped too: the next expire-offers
 * sweep widens any open search left without open offers.
 *
 * @example
 * const { withdrawn, widened } = await withdrawOffersOfPaused(tx, settings, [professionalId], now);
 */
export async function withdrawOffersOfPaused(
  tx: Tx,
  settings: MatchingSettings,
  professionalIds: string[],
  now: Date,
): Promise<{ withdrawn: number; widened: number }> {
  const withdrawn = await withdrawOffersOf(tx, professionalIds, now);
  let widened = 0;
  for (const requestId of [...new Set(withdrawn.map((o) => o.requestId))].sort()) {
    const request = await tryLockOpenRequest(tx, requestId);
    if (!request || (await openOfferCount(tx, request.id)) > 0) continue;
    await openNextTier(tx, settings, request);
    widened++;
  }
  return { withdrawn: withdrawn.length, widened };
}
