import { PaymentCapturedV1, PaymentDisputeClosedV1, PaymentDisputedV1, PaymentHeldV1, PaymentRefundedV1 } from '../../events/payments.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import { invoiceOfPayment, issueInvoice, splitOf } from './invoices.ts';
import { chargebackReversed, standingChargebackOf, type DisputeRow } from './dispute-queries.ts';
import { book, captureEntry, chargebackEntry, chargebackReversalEntry, refundEntry, type Entry } from './ledger.ts';
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
      await bookMoneyBack(tx, payment, refund.amount, 'refund', (share) => refundEntry({ ...share, refundId: refund.refundId }));
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

type MoneyBackShare = { paymentId: string; caseId: string; country: string | null; currency: string; net: number; tax: number; recognised: boolean };

/**
 * Books `amount` going back to the card holder through the gateway (a refund, a chargeback) as its share of the
 * invoice: from deferred revenue while the payment's revenue is not recognised, from refunds once it is, with its
 * VAT. The share is cut after what already went back (refunds), so that all parts of a payment add up to exactly its
 * invoice's net and tax.
 */
async function bookMoneyBack(tx: Tx, payment: PaymentRow, amount: number, what: 'refund' | 'charge back', entryOf: (share: MoneyBackShare) => Entry): Promise<void> {
  const invoice = await invoiceOfPayment(tx, payment.id);
  if (!invoice) throw new Error(`payment ${payment.id} has no invoice to ${what} against`);
  const split = splitOf(invoice);
  const already = Number(payment.refundedAmount);
  const [before, upTo] = [proportion(split, already), proportion(split, already + amount)];
  await book(tx, entryOf({
    paymentId: payment.id, caseId: payment.caseId, country: payment.country?.trim() || null, currency: payment.currency,
    net: upTo.net - before.net, tax: upTo.tax - before.tax, recognised: await revenueRecognised(tx, payment.id),
  }));
}

/**
 * Whether the payment's revenue was booked as recognised (its delivery entry), which is where its net now sits. Not
 * whether the case was delivered: a delivery recognises nothing for a payment that kept nothing then (charged back,
 * say), whose money, should it come back, is deferred until then (revenue.ts).
 */
async function revenueRecognised(tx: Tx, paymentId: string): Promise<boolean> {
  const [entry] = await tx<{ id: string }[]>`select id from payments.journal_entries where kind = 'delivery' and payment_id = ${paymentId} limit 1`;
  return entry !== undefined;
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
    const fee = dispute.status === 'lost' && Number(dispute.fee ?? 0) > 0 ? money(Number(dispute.fee), dispute.feeCurrency ?? payment.currency) : null;
    await emit(tx, PaymentDisputeClosedV1, { source: 'payments', subject: payment.caseId, data: { ...base, outcome: dispute.status === 'won' ? 'won' : 'lost', fee } });
  } else if (effect === 'book_chargeback') {
    // Lost again after its reversal: the first chargeback's key is taken (and undone), so this one gets its own.
    const again = dispute.lostAgain && (await chargebackReversed(tx, dispute.id));
    // Its fee was settled when the dispute was recorded (dispute-fees.ts).
    await bookMoneyBack(tx, payment, disputedAmount(payment, dispute), 'charge back', (share) => chargebackEntry({ ...share, disputeId: dispute.id, again }));
  } else if (effect === 'reverse_chargeback') {
    // The chargeback that stands: the first, or the one booked again after its reversal (undone by a pre-arbitration win).
    const standing = await standingChargebackOf(tx, dispute.id);
    if (standing) await book(tx, chargebackReversalEntry({ ref: standing.ref, paymentId: payment.id, caseId: payment.caseId, country, currency: payment.currency, lines: standing.lines }));
  }
}
