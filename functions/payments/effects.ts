import { PaymentCapturedV1, PaymentDisputeClosedV1, PaymentDisputedV1, PaymentHeldV1, PaymentRefundedV1 } from '../../events/payments.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import { invoiceOfPayment, issueInvoice, splitOf } from './invoices.ts';
import { chargebackLinesOf, type DisputeRow } from './dispute-queries.ts';
import { book, captureEntry, chargebackEntry, chargebackReversalEntry, disputeFeeEntry, refundEntry } from './ledger.ts';
import type { Effect } from './lifecycle.ts';
import { findCase, type PaymentRow } from './queries.ts';
import type { PaymentSettings } from './settings.ts';
import { proportion } from './vat.ts';

/** A confirmed refund the transition books (id, amount). */
export interface ConfirmedRefund {
  refundId: string;
  amount: number;
}

const money = (amount: number, currency: string) => ({ amount, currency: currency.trim() });

/**
 * Carries out what a payment transition calls for, in its transaction: ledger entries, the invoice, and events.
 * Each effect is keyed on the payment, refund or dispute id, so it cannot happen twice even if asked twice.
 *
 * @example
 * await runEffects(tx, settings, payment, ['book_capture', 'announce_capture'], { holdReasons: [] });
 */
export async function runEffects(
  tx: Tx,
  settings: PaymentSettings,
  payment: PaymentRow,
  effects: readonly Effect[],
  context: { holdReasons?: string[]; refund?: ConfirmedRefund; dispute?: DisputeRow },
): Promise<void> {
  const amount = Number(payment.amount);
  const country = payment.country?.trim() || null;
  for (const effect of effects) {
    if (effect === 'book_capture') {
      const invoice = await issueInvoice(tx, {
        paymentId: payment.id, caseId: payment.caseId, ownerId: payment.ownerId, country, currency: payment.currency,
        gross: amount, vatBp: settings.vatBp, at: settings.now(),
      });
      const split = splitOf(invoice);
      await book(tx, captureEntry({ paymentId: payment.id, caseId: payment.caseId, country, currency: payment.currency, net: split.net, tax: split.tax }));
    } else if (effect === 'announce_capture') {
      // Money for a case already cancelled starts nothing: the send-refunds sweep gives it back.
      if ((await findCase(tx, payment.caseId))?.status === 'cancelled') continue;
      await emit(tx, PaymentCapturedV1, {
        source: 'payments', subject: payment.caseId,
        data: { paymentId: payment.id, caseId: payment.caseId, ownerId: payment.ownerId, gateway: payment.gateway, amount: money(amount, payment.currency) },
      });
    } else if (effect === 'hold') {
      await emit(tx, PaymentHeldV1, {
        source: 'payments', subject: payment.caseId,
        data: { paymentId: payment.id, caseId: payment.caseId, gateway: payment.gateway, reasons: context.holdReasons ?? [] },
      });
    } else if (effect === 'book_refund') {
      const refund = context.refund;
      if (!refund) throw new Error('book_refund needs the confirmed refund');
      const invoice = await invoiceOfPayment(tx, payment.id);
      if (!invoice) throw new Error(`payment ${payment.id} has no invoice to refund against`);
      const part = proportion(splitOf(invoice), refund.amount);
      const view = await findCase(tx, payment.caseId);
      await book(tx, refundEntry({
        refundId: refund.refundId, paymentId: payment.id, caseId: payment.caseId, country, currency: payment.currency,
        net: part.net, tax: part.tax, delivered: view?.delivered ?? false,
      }));
      await emit(tx, PaymentRefundedV1, {
        source: 'payments', subject: payment.caseId,
        data: { paymentId: payment.id, caseId: payment.caseId, refundId: refund.refundId, amount: money(refund.amount, payment.currency), full: refund.amount >= amount },
      });
    } else {
      const dispute = context.dispute;
      if (!dispute) throw new Error(`${effect} needs the dispute`);
      await disputeEffect(tx, payment, effect, dispute);
    }
  }
}

/** The dispute's share of the payment: what the gateway says is disputed, never more than is left after refunds. */
const disputedAmount = (payment: PaymentRow, dispute: DisputeRow) => {
  const left = Number(payment.amount) - Number(payment.refundedAmount);
  return Math.min(dispute.amount === null ? left : Number(dispute.amount), left);
};

async function disputeEffect(tx: Tx, payment: PaymentRow, effect: Effect, dispute: DisputeRow): Promise<void> {
  const country = payment.country?.trim() || null;
  const base = { paymentId: payment.id, caseId: payment.caseId, gateway: payment.gateway, disputeId: dispute.id, amount: money(disputedAmount(payment, dispute), payment.currency) };
  if (effect === 'announce_dispute') {
    await emit(tx, PaymentDisputedV1, { source: 'payments', subject: payment.caseId, data: { ...base, reason: dispute.reason } });
  } else if (effect === 'announce_dispute_closed') {
    const fee = dispute.status === 'lost' && dispute.fee !== null ? money(Number(dispute.fee), dispute.feeCurrency ?? payment.currency) : null;
    await emit(tx, PaymentDisputeClosedV1, { source: 'payments', subject: payment.caseId, data: { ...base, outcome: dispute.status === 'won' ? 'won' : 'lost', fee } });
  } else if (effect === 'book_chargeback') {
    const invoice = await invoiceOfPayment(tx, payment.id);
    if (!invoice) throw new Error(`payment ${payment.id} has no invoice to charge back against`);
    const part = proportion(splitOf(invoice), disputedAmount(payment, dispute));
    const view = await findCase(tx, payment.caseId);
    await book(tx, chargebackEntry({
      disputeId: dispute.id, paymentId: payment.id, caseId: payment.caseId, country, currency: payment.currency,
      net: part.net, tax: part.tax, delivered: view?.delivered ?? false,
    }));
    if (dispute.fee !== null && Number(dispute.fee) > 0) {
      await book(tx, disputeFeeEntry({ disputeId: dispute.id, paymentId: payment.id, caseId: payment.caseId, currency: dispute.feeCurrency ?? payment.currency, fee: Number(dispute.fee) }));
    }
  } else if (effect === 'reverse_chargeback') {
    const lines = await chargebackLinesOf(tx, dispute.id);
    if (lines.length) await book(tx, chargebackReversalEntry({ disputeId: dispute.id, paymentId: payment.id, caseId: payment.caseId, country, currency: payment.currency, lines }));
  }
}
