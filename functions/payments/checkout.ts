import { createHash, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { clientIp } from '../../shared/http/client-ip.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import type { Gateway } from './gateways/types.ts';
import { findCase, findPayment, insertPayment, openPaymentOf, setGatewayRef, type PaymentRow } from './queries.ts';
import { gatewayFor, type GatewayName, type PaymentSettings } from './settings.ts';

const Checkout = v.object({ caseId: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)) });
const IdempotencyKey = v.pipe(v.string(), v.minLength(1), v.maxLength(255), v.regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces'));


const view = (p: PaymentRow) => ({
  paymentId: p.id,
  gateway: p.gateway,
  amount: Number(p.amount),
  currency: p.currency.trim(),
  status: p.status,
  ...(p.clientSecret ? { clientSecret: p.clientSecret } : {}),
  ...(p.redirectUrl ? { redirectUrl: p.redirectUrl } : {}),
});

/**
 * `POST /v1/payments/checkout`: creates (or returns the open) payment of a case awaiting payment at the gateway for
 * its currency. The database work is one transaction under the case's row lock (so concurrent checkouts and
 * repeated Idempotency-Keys line up); the gateway call follows it, idempotent on our payment id, and is retried by a
 * repeated request if it failed.
 *
 * @example
 * app.route('/', checkoutRoutes({ settings, gateways }));
 */
export function checkoutRoutes(deps: { settings: PaymentSettings; gateways: (name: GatewayName) => Gateway }): Hono {
  const app = new Hono();
  app.post(
    '/v1/payments/checkout',
    describe({ summary: 'Pay for a case awaiting payment', tags: ['payments'], audience: 'case owner', responses: { 201: 'Payment created', 409: 'The case is not awaiting payment', 422: 'Idempotency-Key reused with another body', 429: 'Too many attempts' } }),
    validate('json', Checkout),
    authenticate(),
    async (c) => {
      const principal = c.get('principal');
      const { caseId } = c.req.valid('json');
      const rawKey = c.req.header('idempotency-key');
      const key = rawKey === undefined ? undefined : v.safeParse(IdempotencyKey, rawKey);
      if (key && !key.success) throw problems.validation([{ pointer: '/headers/idempotency-key', message: key.issues[0].message }]);
      const bodyHash = createHash('sha256').update(JSON.stringify({ caseId })).digest('hex');
      const ip = clientIp(c);
      const ipCountry = c.req.header(deps.settings.ipCountryHeader)?.toUpperCase().match(/^[A-Z]{2}$/)?.[0] ?? null;
      const payment = await transaction(async (tx) => {
        if (key?.success) {
          const [seen] = await tx<{ bodyHash: string; paymentId: string }[]>`
            select body_hash, payment_id from payments.checkout_keys where owner_id = ${principal.id} and key = ${key.output}`;
          if (seen && seen.bodyHash !== bodyHash) throw new HttpProblem(422, 'idempotency-key-reused', { detail: 'This Idempotency-Key was used with another request body.' });
          if (seen) return (await findPayment(tx, { id: seen.paymentId }))!;
        }
        const kase = await findCase(tx, caseId, { forUpdate: true });
        if (!kase) throw problems.notFound();
        authorize(principal, 'payment:checkout', { ownerId: kase.ownerId });
        if (kase.status !== 'awaiting_payment') throw new HttpProblem(409, 'not-awaiting-payment', { detail: `The case is ${kase.status}, not awaiting payment.`, currentStatus: kase.status });
        const currency = kase.priceCurrency.trim();
        const gateway = gatewayFor(deps.settings, currency);
        let row = await openPaymentOf(tx, caseId, gateway);
        if (!row) {
          await enforceVelocity(tx, deps.settings, principal.id, ip);
          row = await insertPayment(tx, {
            id: randomUUID(), caseId, ownerId: kase.ownerId, gateway, amount: Number(kase.priceAmount), currency,
            country: kase.patientCountry?.trim() || null, ip, ipCountry,
          });
        }
        if (key?.success) {
          const [stored] = await tx<{ bodyHash: string }[]>`
            insert into payments.checkout_keys ${tx({ ownerId: principal.id, key: key.output, bodyHash, paymentId: row.id })}
            on conflict (owner_id, key) do update set key = excluded.key returning body_hash`;
          if (stored!.bodyHash !== bodyHash) throw new HttpProblem(422, 'idempotency-key-reused', { detail: 'This Idempotency-Key was used with another request body.' });
        }
        return row;
      });
      return c.json(view(await atGateway(deps, payment)), 201);
    },
  );
  return app;
}

/** Creates the payment at its gateway unless that already happened; the gateway dedupes on our payment id. */
async function atGateway(deps: { gateways: (name: GatewayName) => Gateway }, payment: PaymentRow): Promise<PaymentRow> {
  if (payment.gatewayRef) return payment;
  let created;
  try {
    created = await deps.gateways(payment.gateway).createPayment({ paymentId: payment.id, caseId: payment.caseId, amount: Number(payment.amount), currency: payment.currency.trim() });
  } catch {
    throw new HttpProblem(502, 'gateway-unavailable', { detail: 'The payment provider did not answer; try again with the same Idempotency-Key.' });
  }
  await transaction((tx) => setGatewayRef(tx, payment.id, created));
  return { ...payment, gatewayRef: created.ref, clientSecret: created.clientSecret ?? null, redirectUrl: created.redirectUrl ?? null };
}

/** Velocity limits: so many new payments per account and per address per hour (429 beyond). */
async function enforceVelocity(tx: Parameters<Parameters<typeof transaction>[0]>[0], settings: PaymentSettings, ownerId: string, ip: string): Promise<void> {
  const since = new Date(settings.now().getTime() - 3_600_000);
  const [counts] = await tx<{ account: string; address: string }[]>`
    select (select count(*) from payments.checkout_attempts where owner_id = ${ownerId} and at > ${since}) as account,
           (select count(*) from payments.checkout_attempts where ip = ${ip} and at > ${since}) as address`;
  if (Number(counts!.account) >= settings.velocity.perAccountPerHour || Number(counts!.address) >= settings.velocity.perIpPerHour) {
    throw problems.tooManyRequests(3600);
  }
  await tx`insert into payments.checkout_attempts (owner_id, ip, at) values (${ownerId}, ${ip}, ${settings.now()})`;
}
