import { Hono } from 'hono';
import * as v from 'valibot';
import { PayoutPaidV1 } from '../../events/payouts.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { requireOps } from './access.ts';
import { openBank } from './bank-seal.ts';
import { findBatch, findPayout, listBatches, markPaid, payoutsOfBatch, skippedOfBatch } from './batch-queries.ts';
import type { PayoutsSettings } from './config.ts';
import { idParam } from '../../shared/http/ids.ts';
import { painXml } from './sepa.ts';

const money = (row: { amount: string | number; currency: string }) => ({ amount: Number(row.amount), currency: row.currency });

/**
 * Ops' side of payout batches: read a batch (payouts and who was skipped), export its SEPA credit-transfer file,
 * and mark its payouts paid — all, or one — emitting `payout.paid.v1` once per payout however often it is asked.
 *
 * @example
 * app.route('/', batchRoutes(settings));
 */
export function batchRoutes(settings: PayoutsSettings): Hono {
  const app = new Hono();
  // `/batches/*` also matches `/batches` itself: one guard for every route here.
  app.use('/v1/payouts/batches/*', authenticate(), async function opsOnly(c, next) {
    requireOps(c.get('principal'));
    await next();
  });

  app.get(
    '/v1/payouts/batches',
    describe({ summary: 'The newest payout batches (or one week\'s)', tags: ['payouts'], audience: 'ops (MFA)' }),
    validate('query', v.object({ weekKey: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{4}-W[0-9]{2}$/, 'an ISO week like 2026-W49'))) })),
    async (c) => {
      const rows = await transaction((tx) => listBatches(tx, { weekKey: c.req.valid('query').weekKey, limit: 20 }));
      return c.json({ items: rows.map((b) => ({ id: b.id, weekKey: b.weekKey, cutoff: b.cutoff.toISOString(), createdAt: b.createdAt.toISOString() })) });
    },
  );

  app.get('/v1/payouts/batches/:id', describe({ summary: 'A payout batch: payouts and skipped professionals', tags: ['payouts'], audience: 'ops (MFA)' }), async (c) => {
    const id = idParam(c.req.param('id'));
    const view = await transaction(async (tx) => {
      const batch = await findBatch(tx, id);
      if (!batch) throw problems.notFound();
      const [payouts, skipped] = [await payoutsOfBatch(tx, id), await skippedOfBatch(tx, id)];
      return {
        id: batch.id,
        weekKey: batch.weekKey,
        cutoff: batch.cutoff.toISOString(),
        createdAt: batch.createdAt.toISOString(),
        payouts: payouts.map((p) => ({ id: p.id, professionalId: p.professionalId, amount: money(p), status: p.status, paidAt: p.paidAt?.toISOString() ?? null })),
        skipped: skipped.map((s) => ({ professionalId: s.professionalId, amount: money(s), reason: s.reason })),
      };
    });
    return c.json(view);
  });

  app.get('/v1/payouts/batches/:id/sepa', describe({ summary: 'The batch as a SEPA credit-transfer file (pain.001.001.09)', tags: ['payouts'], audience: 'ops (MFA)', responses: { 200: 'application/xml', 409: 'Nothing to transfer' } }), async (c) => {
    const id = idParam(c.req.param('id'));
    const xml = await transaction(async (tx) => {
      const batch = await findBatch(tx, id);
      if (!batch) throw problems.notFound();
      const payouts = await payoutsOfBatch(tx, id);
      if (payouts.length === 0) throw problems.conflict('nothing-to-transfer', 'This batch has no payouts; every professional in it was skipped or none had earnings.');
      const transfers = payouts.map((p) => ({ payoutId: p.id, amount: BigInt(p.amount), currency: p.currency, creditor: openBank(settings.bankKey(), p.professionalId, p.creditorSealed) }));
      return painXml({ batchId: batch.id, weekKey: batch.weekKey, createdAt: batch.createdAt, debtor: settings.debtor, transfers });
    });
    return c.body(xml, 200, { 'content-type': 'application/xml; charset=utf-8', 'content-disposition': `attachment; filename="payouts-${id}.xml"`, 'cache-control': 'no-store' });
  });

  /** Marks pending payouts paid and emits their events in the same transaction; returns what changed. */
  const pay = async (batchId: string, payoutId?: string) =>
    transaction(async (tx) => {
      const batch = await findBatch(tx, batchId);
      if (!batch) throw problems.notFound();
      if (payoutId !== undefined && (await findPayout(tx, payoutId))?.batchId !== batchId) throw problems.notFound();
      const paid = await markPaid(tx, { batchId, paidAt: settings.now(), ...(payoutId === undefined ? {} : { payoutId }) });
      for (const p of paid) {
        await emit(tx, PayoutPaidV1, { source: 'payouts', subject: p.id, data: { payoutId: p.id, batchId, professionalId: p.professionalId, amount: money(p) } });
      }
      const payouts = await payoutsOfBatch(tx, batchId);
      return { batchId, newlyPaid: paid.map((p) => p.id), paid: payouts.filter((p) => p.status === 'paid').length, pending: payouts.filter((p) => p.status === 'pending').length };
    });

  app.post('/v1/payouts/batches/:id/paid', describe({ summary: 'Mark every payout of a batch paid (idempotent)', tags: ['payouts'], audience: 'ops (MFA)' }), async (c) => {
    return c.json(await pay(idParam(c.req.param('id'))));
  });

  app.post('/v1/payouts/batches/:id/payouts/:payoutId/paid', describe({ summary: 'Mark one payout paid (idempotent)', tags: ['payouts'], audience: 'ops (MFA)' }), async (c) => {
    return c.json(await pay(idParam(c.req.param('id')), idParam(c.req.param('payoutId'))));
  });

  return app;
}
