import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogue } from '../../events/index.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { eventTriggers } from '../../triggers/events.ts';
import { httpTriggers } from '../../triggers/http.ts';
import { checkDeclarations } from '../../triggers/local/declarations.ts';
import matching from './app.ts';

describe('matching wiring', () => {
  it('handles exactly the events and jobs triggers/ declares for it, every minute, and serves /v1/offers', () => {
    const mine = <T extends { function: string }>(list: T[]) => list.filter((t) => t.function === 'matching');
    assert.doesNotThrow(() => checkDeclarations({ functions: [matching], http: mine(httpTriggers), events: mine(eventTriggers), cron: mine(cronTriggers) }));
    assert.deepEqual(mine(cronTriggers).map((c) => [c.job, c.schedule]).sort(), [['expire-offers', '* * * * *'], ['reclaim-overdue', '* * * * *']]);
    assert.ok(mine(httpTriggers).some((h) => h.prefix === '/v1/offers'));
    for (const type of matching.consumes) assert.ok(catalogue.has(type), `${type} is in the catalogue`);
    for (const type of ['review.requested.v1', 'offer.created.v1', 'offer.expired.v1', 'matching.case.rescue-needed.v1', 'matching.professional.paused.v1']) {
      assert.ok(catalogue.has(type), `${type} is in the catalogue`);
    }
  });
});
