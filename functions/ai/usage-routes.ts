import { Hono } from 'hono';
import * as v from 'valibot';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import type { Sql } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { usageGrouped } from './queries.ts';

const DAY = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const Instant = v.pipe(
  v.string(),
  v.check((s) => (DATE_ONLY.test(s) || /^\d{4}-\d{2}-\d{2}T/.test(s)) && !Number.isNaN(Date.parse(s)), 'a date (YYYY-MM-DD) or an RFC 3339 instant'),
);
const UsageQuery = v.object({
  from: v.optional(Instant),
  to: v.optional(Instant),
  groupBy: v.optional(v.picklist(['day', 'provider', 'case'], 'day, provider or case'), 'day'),
});

/**
 * GET /v1/ai/usage?from&to&groupBy=day|provider|case — provider calls, tokens and cost (integer micro-units of
 * `currency`) over a period, for ops only. `to` as a date includes that whole day; the default period is this
 * month so far; at most 366 days.
 *
 * @example
 * app.route('/', usageRoutes({ sql: db, currency: () => 'USD', now: () => new Date() }));
 */
export function usageRoutes(deps: { sql: () => Sql; currency: () => string; now: () => Date }): Hono {
  const app = new Hono();
  app.get(
    '/v1/ai/usage',
    describe({ summary: 'AI provider usage and cost over a period', tags: ['ai'], audience: 'ops' }),
    validate('query', UsageQuery),
    authenticate(),
    async (c) => {
      // Usage names cases and spending: ops only (the policy's ops-only, second-factor action for audit data).
      authorize(c.get('principal'), 'ai-usage:read');
      const q = c.req.valid('query');
      const now = deps.now();
      const from = q.from ? new Date(q.from) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
      const to = q.to ? new Date(Date.parse(q.to) + (DATE_ONLY.test(q.to) ? DAY : 0)) : now;
      if (to <= from) throw problems.validation([{ pointer: '/to', message: 'must be after from' }]);
      if (to.getTime() - from.getTime() > 366 * DAY) throw problems.validation([{ pointer: '/to', message: 'at most 366 days after from' }]);
      const items = await usageGrouped(deps.sql(), from, to, q.groupBy);
      const total = items.reduce(
        (t, i) => ({ calls: t.calls + i.calls, failures: t.failures + i.failures, tokensIn: t.tokensIn + i.tokensIn, tokensOut: t.tokensOut + i.tokensOut, costMicros: t.costMicros + i.costMicros }),
        { calls: 0, failures: 0, tokensIn: 0, tokensOut: 0, costMicros: 0 },
      );
      return c.json({ from: from.toISOString(), to: to.toISOString(), groupBy: q.groupBy, currency: deps.currency(), items, total });
    },
  );
  return app;
}
