import { Hono } from 'hono';
import * as v from 'valibot';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { payeeOf, requirePayReader } from './access.ts';
import { earningsOfPayout, findBatch, findPayout, payoutsOfProfessional } from './batch-queries.ts';
import { idParam } from '../../shared/http/ids.ts';
import { statementCsv, statementOf } from './statement.ts';

/**
 * Statements: the list of my payouts (`GET /v1/payouts/statements`), and one payout's statement
 * (`GET /v1/payouts/statements/{payoutId}`) as JSON, or `?format=csv`. The professional paid sees their own;
 * anyone else's is 404; ops see all.
 *
 * @example
 * app.route('/', statementRoutes());
 */
export function statementRoutes(): Hono {
  const app = new Hono();

  app.get(
    '/v1/payouts/statements',
    describe({ summary: 'My payouts (newest 52), each with its statement id', tags: ['payouts'], audience: 'professional (own), ops (?professionalId=)' }),
    validate('query', v.object({ professionalId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))) })),
    authenticate(),
    async (c) => {
      const professionalId = payeeOf(c.get('principal'), c.req.valid('query').professionalId);
      const rows = await transaction((tx) => payoutsOfProfessional(tx, professionalId, 52));
      return c.json({
        items: rows.map((p) => ({
          payoutId: p.id,
          batchId: p.batchId,
          weekKey: p.weekKey,
          amount: { amount: Number(p.amount), currency: p.currency },
          status: p.status,
          paidAt: p.paidAt?.toISOString() ?? null,
        })),
      });
    },
  );

  app.get(
    '/v1/payouts/statements/:payoutId',
    describe({ summary: 'The statement of one payout (JSON or ?format=csv)', tags: ['payouts'], audience: 'the professional paid, ops' }),
    validate('query', v.object({ format: v.optional(v.picklist(['json', 'csv'])) })),
    authenticate(),
    async (c) => {
      const payoutId = idParam(c.req.param('payoutId'));
      const statement = await transaction(async (tx) => {
        const payout = await findPayout(tx, payoutId);
        if (!payout) throw problems.notFound();
        requirePayReader(c.get('principal'), payout.professionalId);
        const batch = await findBatch(tx, payout.batchId);
        return statementOf(batch!, payout, await earningsOfPayout(tx, payout.id));
      });
      if (c.req.valid('query').format !== 'csv') return c.json(statement);
      return c.body(statementCsv(statement), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="statement-${statement.weekKey}-${statement.payoutId}.csv"`,
      });
    },
  );

  return app;
}
