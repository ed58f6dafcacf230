import { CaseCancelledV1, CaseStatusChangedV1, CaseSubmittedV1 } from '../../events/case.ts';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { EarningRecordedV1, PayoutPaidV1 } from '../../events/payouts.ts';
import { on, type Subscription } from '../../shared/bus/consumer.ts';
import { book, earningEntry, payoutEntry } from './ledger.ts';
import { setCaseStatus, upsertSubmittedCase } from './queries.ts';
import { requestRefund, type RefundDeps } from './refunds.ts';
import { recogniseRevenue } from './revenue.ts';

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
      if (await setCaseStatus(tx, data.caseId, 'delivered')) await recogniseRevenue(tx, data.caseId);
    }),
    on(EarningRecordedV1, async (tx, { data }) => {
      await book(tx, earningEntry({ earningId: data.earningId, caseId: data.caseId, currency: data.amount.currency, amount: data.amount.amount }));
    }),
    on(PayoutPaidV1, async (tx, { data }) => {
      await book(tx, payoutEntry({ payoutId: data.payoutId, currency: data.amount.currency, amount: data.amount.amount }));
    }),
  ];
}

