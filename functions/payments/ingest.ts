import { randomUUID } from 'node:crypto';
import { PaymentFailedV1 } from '../../events/payments.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import { anotherDisputeOpen, joinDisputes, releaseOpenDisputes, rememberStatusBefore, type DisputeRow } from './dispute-queries.ts';
import { recordDispute } from './disputes.ts';
import { runEffects, type ConfirmedRefund } from './effects.ts';
import type { GatewayNotice } from './gateways/types.ts';
import { transition, type PaymentSignal } from './lifecycle.ts';
import { findPayment, updatePayment, type PaymentRow } from './queries.ts';
import { KEEPS_MONEY, recogniseRevenue } from './revenue.ts';
import { assessRisk, type RiskFacts, type RiskVerdict } from './risk.ts';
import type { PaymentSettings } from './settings.ts';
import { isUuid } from '../../shared/http/ids.ts';

/** What became of a gateway notice. */
export type IngestOutcome = 'applied' | 'duplicate' | 'ignored' | 'unmatched' | 'amount-mismatch';

/**
 * Applies one gateway event (a verified webhook, or the sandbox speaking for itself) in the caller's transaction:
 * records its id (a duplicate changes nothing), finds the payment (locked), moves it along its state machine and
 * carries out the move's effects. Stale and out-of-order events are recorded and ignored, never applied backwards.
 *
 * @example
 * await transaction((tx) => ingest(tx, settings, { gateway: 'stripe', eventKey: 'evt_1', kind: 'succeeded', paymentRef: 'pi_1', amount: 29000, currency: 'EUR' }));
 */
export async function ingest(tx: Tx, settings: PaymentSettings, notice: GatewayNotice): Promise<IngestOutcome> {
  const [fresh] = await tx`
    insert into payments.gateway_events (gateway, event_key, kind, amount, currency, outcome)
    values (${notice.gateway}, ${notice.eventKey}, ${notice.kind}, ${notice.amount ?? null}, ${notice.currency ?? null}, 'received')
    on conflict do nothing returning event_key`;
  if (!fresh) return 'duplicate';
  const payment = await locate(tx, notice);
  const outcome = payment ? await apply(tx, settings, payment, notice) : 'unmatched';
  await tx`
    update payments.gateway_events set outcome = ${outcome}, payment_id = ${payment?.id ?? null}
    where gateway = ${notice.gateway} and event_key = ${notice.eventKey}`;
  return outcome;
}

async function locate(tx: Tx, notice: GatewayNotice): Promise<PaymentRow | undefined> {
  if (notice.paymentId && isUuid(notice.paymentId)) {
    const byId = await findPayment(tx, { id: notice.paymentId }, { forUpdate: true });
    if (byId && byId.gateway === notice.gateway) return byId;
  }
  if (notice.paymentRef) return findPayment(tx, { gateway: notice.gateway, ref: notice.paymentRef }, { forUpdate: true });
  return undefined;
}

async function apply(tx: Tx, settings: PaymentSettings, payment: PaymentRow, notice: GatewayNotice): Promise<IngestOutcome> {
  if (notice.kind === 'ignored') return 'ignored';
  if (notice.currency && notice.currency.toUpperCase() !== payment.currency.trim()) return 'amount-mismatch';
  if (notice.kind === 'refund_failed') {
    await tx`update payments.refunds set status = 'failed', updated_at = now() where payment_id = ${payment.id} and status <> 'succeeded'`;
    return 'applied';
  }
  let signal: PaymentSignal;
  let verdict: RiskVerdict | undefined;
  let refund: ConfirmedRefund | undefined;
  let dispute: DisputeRow | undefined;
  if (isDisputeNotice(notice.kind)) {
    // Recorded even when the payment cannot move on it now: a closing remembered makes its late opening stale.
    dispute = await recordDispute(tx, payment, notice);
    if (!dispute) return 'ignored';
    if (notice.kind === 'disputed' && (payment.status === 'disputed' || payment.status === 'charged_back')) {
      // Opened while other disputes have the payment: it holds it with them, so that no win leaves it undisputed
      // while this one is open, and is announced as any opening is (once: opened again, it holds the payment already).
      if (await joinDisputes(tx, dispute)) await runEffects(tx, settings, payment, ['announce_dispute'], { dispute });
      return 'applied';
    }
    signal = notice.kind === 'dispute_lost_again' ? 'dispute_lost' : notice.kind === 'dispute_won_again' ? 'dispute_won' : notice.kind;
    // A win over a chargeback that overtook the capture stands for that capture: the same risk check, on what the
    // gateway said of the capture (its late event, remembered below), if anything.
    if (signal === 'dispute_won') verdict = captureRisk(payment, { risk: payment.riskLevel, cardCountry: payment.cardCountry });
  } else if (notice.kind === 'succeeded') {
    if (notice.amount !== undefined && notice.amount !== Number(payment.amount)) return 'amount-mismatch';
    verdict = captureRisk(payment, notice);
    signal = verdict.hold ? 'succeeded_risky' : 'succeeded';
  } else {
    signal = notice.kind;
  }
  const move = transition(payment.status, signal, {
    nothingLeft: Number(payment.amount) - Number(payment.refundedAmount) <= 0,
    // A dispute whose opening never reached us took the payment from where it stands: its win leaves it there
    // (disputed by another dispute, say) rather than capture a payment held for review.
    statusBeforeDispute: dispute?.paymentStatusBefore ?? payment.status,
    riskHold: verdict?.hold,
    anotherDisputeOpen: signal === 'dispute_won' && dispute ? await anotherDisputeOpen(tx, dispute) : false,
  });
  if (!move.ok) {
    // A capture overtaken by its chargeback cannot move the payment, but what it says of the risk is kept for the
    // capture a win of that chargeback stands for.
    if (notice.kind === 'succeeded' && payment.status === 'charged_back') {
      await updatePayment(tx, payment.id, { status: payment.status, riskLevel: notice.risk ?? null, cardCountry: notice.cardCountry ?? null });
    }
    return 'ignored';
  }
  const holdReasons = move.effects.includes('announce_capture') || move.effects.includes('hold') ? verdict?.reasons : undefined;
  if (dispute && signal !== 'dispute_won') await rememberStatusBefore(tx, dispute, payment.status);
  if (signal === 'refunded') {
    refund = await confirmRefund(tx, payment, notice);
    if (!refund) return 'amount-mismatch';
    if (payment.status === 'disputed') await releaseOpenDisputes(tx, payment.id);
  }
  await updatePayment(tx, payment.id, {
    status: move.to,
    riskLevel: notice.kind === 'succeeded' ? (notice.risk ?? null) : null,
    cardCountry: notice.cardCountry ?? null,
    holdReasons: holdReasons?.length ? holdReasons : null,
    refundedAmount: refund?.amount ?? 0,
    // Adyen names the payment by its pspReference only once it is authorised.
    ...(notice.kind === 'succeeded' && notice.paymentRef && payment.gateway === 'adyen' ? { gatewayRef: notice.paymentRef } : {}),
  });
  await runEffects(tx, settings, payment, move.effects, { holdReasons, refund, dispute });
  // Money the platform comes to keep after its case was delivered (a chargeback won back, a late capture) is revenue.
  if (KEEPS_MONEY.includes(move.to)) await recogniseRevenue(tx, payment.caseId);
  if (move.to === 'failed') {
    await emit(tx, PaymentFailedV1, { source: 'payments', subject: payment.caseId, data: { paymentId: payment.id, caseId: payment.caseId, gateway: payment.gateway } });
  }
  return 'applied';
}

const DISPUTE_NOTICES = ['disputed', 'dispute_won', 'dispute_lost', 'dispute_lost_again', 'dispute_won_again'] as const;
const isDisputeNotice = (kind: GatewayNotice['kind']): kind is (typeof DISPUTE_NOTICES)[number] => (DISPUTE_NOTICES as readonly string[]).includes(kind);

/** The risk check of a capture, on what the gateway said of it and where the payment comes from. */
function captureRisk(payment: PaymentRow, gateway: { risk?: string | null; cardCountry?: string | null }): RiskVerdict {
  return assessRisk({
    gatewayRisk: (gateway.risk ?? undefined) as RiskFacts['gatewayRisk'], cardCountry: gateway.cardCountry,
    ipCountry: payment.ipCountry?.trim(), patientCountry: payment.country?.trim(),
  });
}

/**
 * The refund a gateway confirms: ours (requested on cancellation) or, when the refund was made at the gateway
 * directly (dashboard) or its confirmation overtook everything else, a new row for what the gateway says.
 */
async function confirmRefund(tx: Tx, payment: PaymentRow, notice: GatewayNotice): Promise<ConfirmedRefund | undefined> {
  const left = Number(payment.amount) - Number(payment.refundedAmount);
  const [ours] = await tx<{ id: string; amount: string }[]>`
    select id, amount from payments.refunds where payment_id = ${payment.id} and status <> 'succeeded' for update`;
  const amount = ours ? Number(ours.amount) : Math.min(notice.amount ?? left, left);
  if (amount <= 0 || (notice.amount !== undefined && notice.amount < amount)) return undefined;
  const refundId = ours?.id ?? randomUUID();
  if (ours) {
    await tx`update payments.refunds set status = 'succeeded', gateway_ref = coalesce(${notice.refundRef ?? null}, gateway_ref), updated_at = now() where id = ${ours.id}`;
  } else {
    await tx`
      insert into payments.refunds (id, payment_id, amount, currency, reason, status, gateway_ref)
      values (${refundId}, ${payment.id}, ${amount}, ${payment.currency}, 'gateway', 'succeeded', ${notice.refundRef ?? null})
      on conflict (payment_id) do nothing`;
  }
  return { refundId, amount };
}
