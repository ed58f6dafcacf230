import { randomUUID } from 'node:crypto';
import { afterCommit, transaction, type Sql, type Tx } from '../../shared/db/index.ts';
import { db } from '../../shared/db/index.ts';
import { log } from '../../shared/telemetry/log.ts';
import type { Gateway } from './gateways/types.ts';
import { ingest } from './ingest.ts';
import { transition } from './lifecycle.ts';
import { findCase, paidPaymentOf, updatePayment, type CaseView } from './queries.ts';
import type { GatewayName, PaymentSettings } from './settings.ts';

export interface RefundDeps {
  settings: PaymentSettings;
  gateways: (name: GatewayName) => Gateway;
  sql?: () => Sql;
}

/**
 * How much of `amount` goes back under the refund policy: all of it before anyone was assigned, the policy's share
 * after (rounded down to a minor unit).
 *
 * @example
 * refundAmount({ beforeAssignmentBp: 10000, afterAssignmentBp: 5000 }, 29000, true); // 14500
 */
export function refundAmount(policy: PaymentSettings['refundPolicy'], amount: number, wasAssigned: boolean): number {
  const bp = wasAssigned ? policy.afterAssignmentBp : policy.beforeAssignmentBp;
  return Math.floor((amount * bp) / 10_000);
}

/**
 * A cancelled case that was paid: records one refund for its payment (unique per payment, so a redelivered
 * cancellation asks once) and sends it to the gateway once the transaction commits. Returns the refund id, or
 * undefined when nothing was paid or nothing is due.
 *
 * @example
 * await requestRefund(tx, deps, caseView);
 */
export async function requestRefund(tx: Tx, deps: RefundDeps, view: CaseView): Promise<string | undefined> {
  const payment = await paidPaymentOf(tx, view.caseId);
  if (!payment) return undefined;
  const amount = refundAmount(deps.settings.refundPolicy, Number(payment.amount), view.wasAssigned);
  const move = transition(payment.status, 'refund_requested');
  if (amount <= 0 || !move.ok) return undefined;
  const [created] = await tx<{ id: string }[]>`
    insert into payments.refunds (id, payment_id, amount, currency, reason)
    values (${randomUUID()}, ${payment.id}, ${amount}, ${payment.currency}, ${view.wasAssigned ? 'cancelled-after-assignment' : 'cancelled'})
    on conflict (payment_id) do nothing returning id`;
  if (!created) return undefined;
  await updatePayment(tx, payment.id, { status: move.to });
  afterCommit(tx, () => void sendRefund(deps, created.id));
  return created.id;
}

/**
 * Sends a requested refund to its gateway (idempotent on the refund id) and marks it sent. The sandbox confirms
 * it at once through the same path as a gateway webhook. Failures are left for the `send-refunds` sweep.
 *
 * @example
 * await sendRefund(deps, refundId);
 */
export async function sendRefund(deps: RefundDeps, refundId: string): Promise<void> {
  const sql = deps.sql?.() ?? db();
  try {
    const [refund] = await transaction((tx) => tx<{ id: string; paymentId: string; amount: string; currency: string; status: string; gateway: GatewayName; gatewayRef: string | null }[]>`
      select r.id, r.payment_id, r.amount, r.currency, r.status, p.gateway, p.gateway_ref
      from payments.refunds r join payments.payments p on p.id = r.payment_id where r.id = ${refundId}`, sql);
    if (!refund || refund.status !== 'requested' || !refund.gatewayRef) return;
    const sent = await deps.gateways(refund.gateway).refund({
      refundId, paymentId: refund.paymentId, paymentRef: refund.gatewayRef, amount: Number(refund.amount), currency: refund.currency.trim(),
    });
    await transaction(async (tx) => {
      await tx`
        update payments.refunds set status = 'sent', gateway_ref = ${sent.ref}, attempts = attempts + 1, updated_at = now()
        where id = ${refundId} and status = 'requested'`;
      if (refund.gateway === 'sandbox') {
        await ingest(tx, deps.settings, {
          gateway: 'sandbox', eventKey: `refund:${refundId}`, kind: 'refunded', paymentId: refund.paymentId, refundId, refundRef: sent.ref,
          amount: Number(refund.amount), currency: refund.currency.trim(),
        });
      }
    }, sql);
  } catch (error) {
    await transaction((tx) => tx`update payments.refunds set attempts = attempts + 1, updated_at = now() where id = ${refundId}`, sql).catch(() => {});
    log.warn('refund not sent; the sweep retries it', { refundId, error: (error as Error).message });
  }
}

/**
 * The `send-refunds` cron job: asks for the refund of money taken for a case that was cancelled meanwhile (the
 * payment completed after the cancellation), then sends every refund still waiting (its first try failed or the
 * process stopped).
 *
 * @example
 * await sweepRefunds(deps);
 */
export async function sweepRefunds(deps: RefundDeps): Promise<number> {
  const sql = deps.sql?.() ?? db();
  const orphans = await transaction((tx) => tx<{ caseId: string }[]>`
    select distinct p.case_id from payments.payments p join payments.cases c on c.case_id = p.case_id
    where c.status = 'cancelled' and p.status in ('captured', 'held')
      and not exists (select 1 from payments.refunds r where r.payment_id = p.id)
    limit 100`, sql);
  for (const { caseId } of orphans) {
    await transaction(async (tx) => {
      const view = await findCase(tx, caseId, { forUpdate: true });
      if (view?.status === 'cancelled') await requestRefund(tx, deps, view);
    }, sql);
  }
  const waiting = await transaction((tx) => tx<{ id: string }[]>`
    select id from payments.refunds where status = 'requested' and updated_at < now() - interval '30 seconds' order by created_at limit 100`, sql);
  for (const { id } of waiting) await sendRefund(deps, id);
  return waiting.length;
}
