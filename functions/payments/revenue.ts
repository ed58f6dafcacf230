import type { Tx } from '../../shared/db/index.ts';
import { invoiceOfPayment, splitOf } from './invoices.ts';
import { book, deliveryEntry } from './ledger.ts';
import type { PaymentStatus } from './lifecycle.ts';
import { findCase } from './queries.ts';
import { proportion } from './vat.ts';

/** Where the platform keeps a payment's money (all of it, or what refunds left): its revenue is recognised on delivery. */
export const KEEPS_MONEY: readonly PaymentStatus[] = ['captured', 'disputed', 'refunding', 'refunded'];

/**
 * Recognises a delivered case's revenue (IFRS 15: the consideration retained once the service is delivered): the net
 * its payment keeps — the invoice's net less the share of it that refunds took, cut as refunds cut it (`proportion`)
 * — moves from deferred revenue to revenue, so that nothing of the payment stays deferred. Once per case; nothing
 * for a case not delivered yet or a payment that keeps nothing (fully refunded, charged back, never captured) or is
 * held for review. Called on delivery and again whenever money comes to be kept after it (a chargeback won back, a
 * late capture); later refunds and chargebacks come out of `refunds`. Locks the payment, so a refund being applied is
 * either counted here or sees this entry.
 *
 * @example
 * await recogniseRevenue(tx, caseId);
 */
export async function recogniseRevenue(tx: Tx, caseId: string): Promise<void> {
  if (!(await findCase(tx, caseId))?.delivered) return;
  const [payment] = await tx<{ id: string; refundedAmount: string }[]>`
    select id, refunded_amount from payments.payments
    where case_id = ${caseId} and status in ${tx(KEEPS_MONEY as PaymentStatus[])} order by created_at limit 1 for update`;
  const invoice = payment && (await invoiceOfPayment(tx, payment.id));
  if (!invoice) return;
  const split = splitOf(invoice);
  const net = split.net - proportion(split, Number(payment.refundedAmount)).net;
  if (net <= 0) return;
  await book(tx, deliveryEntry({ caseId, paymentId: payment.id, country: invoice.country?.trim() || null, currency: invoice.currency, net }));
}
