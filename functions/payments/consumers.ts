import { CaseCancelledV1, CaseStatusChangedV1, CaseSubmittedV1 } from '../../events/case.ts';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { EarningRecordedV1, PayoutPaidV1 } from '../../events/payouts.ts';
import { on, type Subscription } from '../../shared/bus/consumer.ts';
import { invoiceOfPayment } from './invoices.ts';
import { book, deliveryEntry, earningEntry, payoutEntry } from './ledger.ts';
import { setCaseStatus, upsertSubmittedCase } from './queries.ts';
import { requestRefund, type RefundDeps } from './refunds.ts';

/**
 * The events payments consumes: its view of cases (price, owner, country, status), refunds on cancellation, and
 * the ledger's other side (revenue on delivery, professional earnings and payouts). Each runs once per event id
 * (shared/bus) and every booking is keyed on its cause, so a replay never books twice.
 *
 * @example
 * defineFunction({ name: 'payments', events: paymentSubscriptions(deps) });
 */
export function paymentSubscriptions(deps: RefundDeps): Subscription[] {
  return [
    on(CaseSubmittedV1, async (tx, { data }) => {
      await upsertSubmittedCase(tx, {
        caseId: data.caseId, ownerId: data.ownerId, priceAmount: data.price.amount, priceCurrency: data.price.currency,
        urgency: data.urgency, specialty: data.specialty ?? null, patientCountry: data.patientCountry ?? null,
      });
    }),
    on(CaseStatusChangedV1, async (tx, { data }) => {
      await setCaseStatus(tx, data.caseId, data.to);
    }),
    on(CaseCancelledV1, async (tx, { data }) => {
      const view = await setCaseStatus(tx, data.caseId, 'cancelled');
      if (view) await requestRefund(tx, deps, view);
    }),
    on(OpinionDeliveredV1, async (tx, { data }) => {
      const view = await setCaseStatus(tx, data.caseId, 'delivered');
      if (!view) return;
      const [payment] = await tx<{ id: string }[]>`
        select id from payments.payments where case_id = ${data.caseId} and status in ('captured', 'disputed') order by created_at limit 1`;
      const invoice = payment && (await invoiceOfPayment(tx, payment.id));
      if (!invoice) return;
      await book(tx, deliveryEntry({ caseId: data.caseId, paymentId: invoice.paymentId, country: invoice.country?.trim() || null, currency: invoice.currency, net: Number(invoice.net) }));
    }),
    on(EarningRecordedV1, async (tx, { data }) => {
      await book(tx, earningEntry({ earningId: data.earningId, caseId: data.caseId, currency: data.amount.currency, amount: data.amount.amount }));
    }),
    on(PayoutPaidV1, async (tx, { data }) => {
      await book(tx, payoutEntry({ payoutId: data.payoutId, currency: data.amount.currency, amount: data.amount.amount }));
    }),
  ];
}

