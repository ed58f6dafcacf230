import { Hono } from 'hono';
import * as v from 'valibot';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { payeeOf } from './access.ts';
import { listEarnings, monthlyTotals, type EarningCursor, type EarningRow } from './queries.ts';
import { isUuid } from '../../shared/http/ids.ts';

const ProfessionalId = v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100)));

const ListQuery = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,3}$/, 'a whole number from 1 to 100'), v.transform(Number), v.minValue(1), v.maxValue(100))),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
  professionalId: ProfessionalId,
});

const YearParam = v.object({
  year: v.pipe(v.string(), v.regex(/^[0-9]{4}$/, 'a four-digit year'), v.transform(Number), v.minValue(2000, 'from 2000'), v.maxValue(9999)),
});

const DEFAULT_PAGE = 20;

const encodeCursor = (row: EarningRow) => Buffer.from(JSON.stringify([row.earnedKey, row.id])).toString('base64url');

function decodeCursor(cursor: string): EarningCursor {
  try {
    const [earnedKey, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof earnedKey === 'string' && typeof id === 'string' && isUuid(id) && !Number.isNaN(Date.parse(earnedKey))) return { earnedKey, id };
  } catch {
    // falls through to the 400 below
  }
  throw problems.validation([{ pointer: '/cursor', message: 'not a cursor this API returned' }]);
}

/** Unpaid until a batch takes it, then scheduled, then paid. */
const statusOf = (payoutStatus: 'pending' | 'paid' | null) => (payoutStatus === null ? 'unpaid' : payoutStatus === 'pending' ? 'scheduled' : 'paid');

/**
 * Earnings routes: my earnings newest first (keyset pages), and my yearly statement — totals per month and
 * currency. Ops name the professional with `?professionalId=`.
 *
 * @example
 * app.route('/', earningsRoutes());
 */
export function earningsRoutes(): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.get(
    '/v1/payouts/earnings',
    describe({ summary: 'My earnings, newest first', tags: ['payouts'], audience: 'professional (own), ops (?professionalId=)' }),
    validate('query', ListQuery),
    signedIn,
    async (c) => {
      const query = c.req.valid('query');
      const professionalId = payeeOf(c.get('principal'), query.professionalId);
      const limit = query.limit ?? DEFAULT_PAGE;
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await transaction((tx) => listEarnings(tx, { professionalId, after, limit }));
      const page = rows.slice(0, limit);
      return c.json({
        items: page.map((e) => ({
          id: e.id,
          caseId: e.caseId,
          role: e.role,
          grade: e.grade,
          urgency: e.urgency,
          amount: { amount: Number(e.amount), currency: e.currency },
          earnedAt: e.earnedAt.toISOString(),
          payoutId: e.payoutId,
          status: statusOf(e.payoutStatus),
        })),
        nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null,
      });
    },
  );

  app.get(
    '/v1/payouts/earnings/:year',
    describe({ summary: 'My yearly earnings statement: totals per month and currency', tags: ['payouts'], audience: 'professional (own), ops (?professionalId=)' }),
    validate('param', YearParam),
    validate('query', v.object({ professionalId: ProfessionalId })),
    signedIn,
    async (c) => {
      const { year } = c.req.valid('param');
      const professionalId = payeeOf(c.get('principal'), c.req.valid('query').professionalId);
      const rows = await transaction((tx) => monthlyTotals(tx, professionalId, year));
      const money = (r: { amount: string; currency: string }) => ({ amount: Number(r.amount), currency: r.currency });
      const totals = new Map<string, number>();
      for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + Number(r.amount));
      return c.json({
        professionalId,
        year,
        months: Array.from({ length: 12 }, (_, i) => ({
          month: `${year}-${String(i + 1).padStart(2, '0')}`,
          earnings: rows.filter((r) => r.month === i + 1).reduce((n, r) => n + Number(r.count), 0),
          totals: rows.filter((r) => r.month === i + 1).map(money),
        })),
        totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ amount, currency })),
      });
    },
  );

  return app;
}
