import { PaymentCapturedV1, PaymentHeldV1, PaymentRefundedV1 } from '../../events/payments.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import { invoiceOfPayment, issueInvoice, splitOf } from './invoices.ts';
import { book, captureEntry, refundEntry } from './ledger.ts';
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
 * Each effect is keyed on the payment or refund id, so it cannot happen twice even if asked twice.
 *
 * @example
 * await runEffects(tx, settings, payment, ['book_capture', 'announce_capture'], { holdReasons: [] });
 */
export async function runEffects(
  tx: Tx,
  settings: PaymentSettings,
  payment: PaymentRow,
  effects: readonly Effect[],
  context: { holdReasons?: string[]; refund?: ConfirmedRefund },
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
    }
  }
}
