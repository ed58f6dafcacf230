import { defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { settingsWith, type MatchingSettings } from './config.ts';
import { matchingConsumers } from './consumers.ts';
import { offerRoutes } from './routes.ts';
import { expireOffers, reclaimOverdue } from './sweeps.ts';

/**
 * The matching function ("you snooze, you lose"): offers triaged cases tier by tier until exactly one professional
 * accepts; sweeps expire offers and take back overdue opinions. Settings default to config.ts's.
 *
 * @example
 * const matching = createMatching({ now: () => clock.now });
 * await matching.app.request('/v1/offers', { headers: { authorization: `Bearer ${token}` } });
 */
export function createMatching(overrides: Partial<MatchingSettings> = {}): ConsiliumFunction & { settings: MatchingSettings } {
  const settings = settingsWith(overrides);
  const fn = defineFunction({
    name: 'matching',
    routes: offerRoutes(settings),
    events: matchingConsumers(settings),
    cron: {
      'expire-offers': async () => void (await expireOffers(settings)),
      'reclaim-overdue': async () => void (await reclaimOverdue(settings)),
    },
  });
  return { ...fn, settings };
}

export default createMatching();
