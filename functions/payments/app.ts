import { Hono } from 'hono';
import * as v from 'valibot';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import { transaction } from '../../shared/db/index.ts';
import { defineFunction } from '../../shared/http/function.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { checkoutRoutes } from './checkout.ts';
import { paymentSubscriptions } from './consumers.ts';
import { runEffects } from './effects.ts';
import { gatewayRegistry } from './gateways/index.ts';
import { ingest } from './ingest.ts';
import { invoicePdf } from './invoice-pdf.ts';
import { findInvoice, invoiceOfPayment, invoiceView } from './invoices.ts';
import { transition } from './lifecycle.ts';
import { findPayment, updatePayment } from './queries.ts';
import { sweepRefunds, type RefundDeps } from './refunds.ts';
import { recogniseRevenue } from './revenue.ts';
import { deferredBalance, payoutsDue, reconciliation, revenueByMonth, vatDue } from './reports.ts';
import { paymentSettings, type PaymentSettings } from './settings.ts';
import { adyenWebhookRoutes } from './webhook-adyen.ts';
import { stripeWebhookRoutes } from './webhook-stripe.ts';
import { idParam } from '../../shared/http/ids.ts';


const SandboxConfirm = v.object({
  outcome: v.optional(v.picklist(['succeeded', 'failed']), 'succeeded'),
  risk: v.optional(v.picklist(['normal', 'elevated', 'highest'])),
  cardCountry: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case'))),
});

/**
 * The payments routes and subscriptions, built from settings (tests inject theirs: Stripe API base, secrets, VAT
 * table, clock).
 *
 * @example
 * const payments = createPayments({ sandbox: true });
 * app.route('/', payments.app);
 */
export function createPayments(overrides: Partial<PaymentSettings> = {}) {
  const settings = paymentSettings(overrides);
  const deps: RefundDeps = { settings, gateways: gatewayRegistry(settings) };
  const routes = new Hono();
  const signedIn = authenticate();
  routes.route('/', checkoutRoutes(deps));
  routes.route('/', stripeWebhookRoutes(settings));
  routes.route('/', adyenWebhookRoutes(settings));

  routes.post(
    '/v1/payments/sandbox/:id/confirm',
    describe({ summary: 'Complete a sandbox payment (sandbox only)', tags: ['payments'], audience: 'anyone, sandbox only', responses: { 200: 'Applied', 404: 'Sandbox off or unknown payment' } }),
    async (c) => {
      if (!settings.sandbox) throw problems.notFound();
      const id = idParam(c.req.param('id'));
      const text = await c.req.text();
      let input: unknown = {};
      try {
        input = text ? JSON.parse(text) : {};
      } catch {
        throw problems.validation([{ pointer: '', message: 'the body is not JSON' }]);
      }
      const parsed = v.safeParse(SandboxConfirm, input);
      if (!parsed.success) throw problems.validation(parsed.issues.map((i) => ({ pointer: `/${v.getDotPath(i)?.replaceAll('.', '/') ?? ''}`, message: i.message })));
      const { outcome, status } = await transaction(async (tx) => {
        const payment = await findPayment(tx, { id });
        if (!payment || payment.gateway !== 'sandbox') throw problems.notFound();
        const applied = await ingest(tx, settings, {
          gateway: 'sandbox', eventKey: `confirm:${id}:${parsed.output.outcome}`, kind: parsed.output.outcome, paymentId: id, paymentRef: payment.gatewayRef ?? undefined,
          amount: Number(payment.amount), currency: payment.currency.trim(), risk: parsed.output.risk, cardCountry: parsed.output.cardCountry,
        });
        return { outcome: applied, status: (await findPayment(tx, { id }))!.status };
      });
      return c.json({ paymentId: id, status, outcome });
    },
  );

  routes.get('/v1/payments/:id', describe({ summary: 'A payment', tags: ['payments'], audience: 'owner, ops' }), signedIn, async (c) => {
    const id = idParam(c.req.param('id'));
    const { payment, invoice } = await transaction(async (tx) => {
      const found = await findPayment(tx, { id });
      if (!found) throw problems.notFound();
      authorize(c.get('principal'), 'invoice:read', { ownerId: found.ownerId });
      return { payment: found, invoice: await invoiceOfPayment(tx, id) };
    });
    return c.json({
      paymentId: payment.id, caseId: payment.caseId, gateway: payment.gateway, status: payment.status,
      amount: { amount: Number(payment.amount), currency: payment.currency.trim() },
      refunded: { amount: Number(payment.refundedAmount), currency: payment.currency.trim() },
      invoiceId: invoice?.id ?? null,
    });
  });

  routes.post(
    '/v1/payments/:id/release',
    describe({ summary: 'Release a payment held for fraud review', tags: ['payments'], audience: 'ops', responses: { 200: 'Released; the case starts', 409: 'Not held' } }),
    signedIn,
    async (c) => {
      authorize(c.get('principal'), 'payment:release');
      const id = idParam(c.req.param('id'));
      const status = await transaction(async (tx) => {
        const payment = await findPayment(tx, { id }, { forUpdate: true });
        if (!payment) throw problems.notFound();
        const move = transition(payment.status, 'released');
        if (!move.ok) throw new HttpProblem(409, 'not-held', { detail: `The payment is ${payment.status}, not held.`, currentStatus: payment.status });
        await updatePayment(tx, id, { status: move.to });
        await runEffects(tx, settings, payment, move.effects, {});
        await recogniseRevenue(tx, payment.caseId);
        return move.to;
      });
      return c.json({ paymentId: id, status });
    },
  );

  routes.get('/v1/invoices/:id', describe({ summary: 'An invoice (JSON, or PDF with .pdf or Accept: application/pdf)', tags: ['payments'], audience: 'owner, ops' }), signedIn, async (c) => {
    const raw = c.req.param('id');
    const wantsPdf = raw.endsWith('.pdf') || (c.req.header('accept') ?? '').includes('application/pdf');
    const invoice = await transaction((tx) => findInvoice(tx, idParam(raw.replace(/\.pdf$/, ''))));
    if (!invoice) throw problems.notFound();
    authorize(c.get('principal'), 'invoice:read', { ownerId: invoice.ownerId });
    if (!wantsPdf) return c.json(invoiceView(invoice));
    return c.body(Buffer.from(await invoicePdf(invoice)), 200, {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="invoice-${invoice.number}.pdf"`,
    });
  });

  const report = (path: string, summary: string, run: () => Promise<unknown>) =>
    routes.get(path, describe({ summary, tags: ['payments'], audience: 'ops' }), signedIn, async (c) => {
      authorize(c.get('principal'), 'payment:report');
      return c.json(await run());
    });
  report('/v1/payments/reports/revenue', 'Revenue recognised by month and currency', async () => ({ items: await transaction(revenueByMonth) }));
  report('/v1/payments/reports/deferred', 'Deferred revenue balance per currency', async () => ({ items: await transaction(deferredBalance) }));
  report('/v1/payments/reports/vat', 'VAT due per country and currency', async () => ({ items: await transaction(vatDue) }));
  report('/v1/payments/reports/payouts-due', 'Professional payable balance per currency', async () => ({ items: await transaction(payoutsDue) }));
  report('/v1/payments/reports/reconciliation', 'Gateway events against the ledger: every mismatch', () => transaction(reconciliation));

  return defineFunction({
    name: 'payments',
    routes,
    events: paymentSubscriptions(deps),
    cron: { 'send-refunds': async () => void (await sweepRefunds(deps)) },
  });
}

export default createPayments();
