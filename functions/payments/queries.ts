import type { Sql, Tx } from '../../shared/db/index.ts';
import type { PaymentStatus } from './lifecycle.ts';
import type { GatewayName } from './settings.ts';

/** The statements of the payments schema (cases view, payments, checkout keys, attempts), one function each, tx first. */

type Db = Sql | Tx;

export interface CaseView {
  caseId: string;
  ownerId: string;
  status: string;
  priceAmount: string | number;
  priceCurrency: string;
  urgency: string;
  specialty: string | null;
  patientCountry: string | null;
  wasAssigned: boolean;
  delivered: boolean;
}

export interface PaymentRow {
  id: string;
  caseId: string;
  ownerId: string;
  gateway: GatewayName;
  gatewayRef: string | null;
  clientSecret: string | null;
  redirectUrl: string | null;
  amount: string | number;
  currency: string;
  status: PaymentStatus;
  country: string | null;
  ipCountry: string | null;
  cardCountry: string | null;
  riskLevel: string | null;
  holdReasons: string[] | null;
  refundedAmount: string | number;
  createdAt: Date;
}

/**
 * Records a submitted case (or refreshes its price); a status already moved on by a later event is kept.
 *
 * @example
 * await upsertSubmittedCase(tx, { caseId, ownerId, priceAmount: 29000, priceCurrency: 'EUR', urgency: 'standard', specialty: null, patientCountry: 'DE' });
 */
export async function upsertSubmittedCase(
  tx: Tx,
  row: { caseId: string; ownerId: string; priceAmount: number; priceCurrency: string; urgency: string; specialty: string | null; patientCountry: string | null },
): Promise<void> {
  await tx`
    insert into payments.cases ${tx({ ...row, status: 'awaiting_payment' })}
    on conflict (case_id) do update set
      owner_id = excluded.owner_id, price_amount = excluded.price_amount, price_currency = excluded.price_currency,
      urgency = excluded.urgency, specialty = excluded.specialty, patient_country = excluded.patient_country,
      status = case when payments.cases.status = 'draft' then excluded.status else payments.cases.status end,
      updated_at = now()`;
}

/**
 * Sets a known case's status (unknown cases are not paid for here and are ignored); remembers assignment.
 *
 * @example
 * await setCaseStatus(tx, caseId, 'assigned');
 */
export async function setCaseStatus(tx: Tx, caseId: string, status: string): Promise<CaseView | undefined> {
  const assigned = ['assigned', 'in_review', 'peer_review', 'delivered', 'closed'].includes(status);
  const [row] = await tx<CaseView[]>`
    update payments.cases set status = ${status}, was_assigned = was_assigned or ${assigned},
      delivered = delivered or ${status === 'delivered' || status === 'closed'}, updated_at = now()
    where case_id = ${caseId} returning *`;
  return row;
}

/**
 * The case view, optionally locked for the rest of the transaction.
 *
 * @example
 * const view = await findCase(tx, caseId, { forUpdate: true });
 */
export async function findCase(sql: Db, caseId: string, options: { forUpdate?: boolean } = {}): Promise<CaseView | undefined> {
  const [row] = options.forUpdate
    ? await sql<CaseView[]>`select * from payments.cases where case_id = ${caseId} for update`
    : await sql<CaseView[]>`select * from payments.cases where case_id = ${caseId}`;
  return row;
}

/**
 * Inserts a pending payment.
 *
 * @example
 * await insertPayment(tx, { id, caseId, ownerId, gateway: 'sandbox', amount: 29000, currency: 'EUR', country: 'DE', ip, ipCountry: null });
 */
export async function insertPayment(
  tx: Tx,
  row: { id: string; caseId: string; ownerId: string; gateway: GatewayName; amount: number; currency: string; country: string | null; ip: string; ipCountry: string | null },
): Promise<PaymentRow> {
  const [inserted] = await tx<PaymentRow[]>`insert into payments.payments ${tx(row)} returning *`;
  return inserted!;
}

/**
 * A payment by our id, or by the gateway's reference; `forUpdate` serialises every change to one payment.
 *
 * @example
 * const payment = await findPayment(tx, { id }, { forUpdate: true });
 */
export async function findPayment(
  sql: Db,
  by: { id: string } | { gateway: GatewayName; ref: string },
  options: { forUpdate?: boolean } = {},
): Promise<PaymentRow | undefined> {
  // Whole statements, no fragments: fragments built on the pool (not a transaction) stalled under concurrency.
  const [row] =
    'id' in by
      ? options.forUpdate
        ? await sql<PaymentRow[]>`select * from payments.payments where id = ${by.id} for update`
        : await sql<PaymentRow[]>`select * from payments.payments where id = ${by.id}`
      : options.forUpdate
        ? await sql<PaymentRow[]>`select * from payments.payments where gateway = ${by.gateway} and gateway_ref = ${by.ref} for update`
        : await sql<PaymentRow[]>`select * from payments.payments where gateway = ${by.gateway} and gateway_ref = ${by.ref}`;
  return row;
}

/**
 * The case's open (pending, not failed) payment at `gateway`, to answer a repeated checkout with it.
 *
 * @example
 * const open = await openPaymentOf(tx, caseId, 'stripe');
 */
export async function openPaymentOf(tx: Tx, caseId: string, gateway: GatewayName): Promise<PaymentRow | undefined> {
  const [row] = await tx<PaymentRow[]>`
    select * from payments.payments where case_id = ${caseId} and gateway = ${gateway} and status = 'pending'
    order by created_at desc limit 1`;
  return row;
}

/**
 * The case's payment that took money (captured, held, refunding, disputed), if any.
 *
 * @example
 * const paid = await paidPaymentOf(tx, caseId);
 */
export async function paidPaymentOf(tx: Tx, caseId: string): Promise<PaymentRow | undefined> {
  const [row] = await tx<PaymentRow[]>`
    select * from payments.payments where case_id = ${caseId} and status in ('captured', 'held', 'refunding', 'disputed')
    order by created_at limit 1 for update`;
  return row;
}

/**
 * Stores what the gateway answered at creation.
 *
 * @example
 * await setGatewayRef(tx, id, { ref: 'pi_123', clientSecret: 'pi_123_secret_x' });
 */
export async function setGatewayRef(tx: Tx, id: string, created: { ref: string; clientSecret?: string; redirectUrl?: string }): Promise<void> {
  await tx`
    update payments.payments set gateway_ref = ${created.ref}, client_secret = ${created.clientSecret ?? null},
      redirect_url = ${created.redirectUrl ?? null}, updated_at = now()
    where id = ${id}`;
}

/**
 * Moves a payment to `status`, with what the gateway told about risk when it did.
 *
 * @example
 * await updatePayment(tx, id, { status: 'held', riskLevel: 'highest', cardCountry: 'US', holdReasons: ['gateway-risk-highest'] });
 */
export async function updatePayment(
  tx: Tx,
  id: string,
  change: { status: PaymentStatus; riskLevel?: string | null; cardCountry?: string | null; holdReasons?: string[] | null; refundedAmount?: number; gatewayRef?: string },
): Promise<void> {
  await tx`
    update payments.payments set status = ${change.status},
      risk_level = coalesce(${change.riskLevel ?? null}, risk_level),
      card_country = coalesce(${change.cardCountry ?? null}, card_country),
      hold_reasons = coalesce(${change.holdReasons ? tx.json(change.holdReasons) : null}, hold_reasons),
      refunded_amount = refunded_amount + ${change.refundedAmount ?? 0},
      gateway_ref = coalesce(${change.gatewayRef ?? null}, gateway_ref),
      updated_at = now()
    where id = ${id}`;
}
