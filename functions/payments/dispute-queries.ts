import type { Tx } from '../../shared/db/index.ts';
import { disputeFeeRefs, type Line } from './ledger.ts';
import type { PaymentStatus } from './lifecycle.ts';
import type { GatewayName } from './settings.ts';

/** The statements of the disputes table (migrations/0003_disputes.sql), one function each, tx first. */

export interface DisputeRow {
  id: string;
  paymentId: string;
  gateway: GatewayName;
  disputeRef: string;
  amount: string | number | null;
  currency: string;
  reason: string | null;
  status: 'open' | 'won' | 'lost';
  fee: string | number | null;
  feeCurrency: string | null;
  /** The payment's status before this dispute moved it: where a win returns it. */
  paymentStatusBefore: PaymentStatus | null;
  /** Lost again after a reversal: only its pre-arbitration's win (`wonAgain`) still counts. */
  lostAgain: boolean;
  /** Won in pre-arbitration: the dispute's last word, nothing later of it counts. */
  wonAgain: boolean;
}

/**
 * The dispute `ref` at `gateway`, created on first sight (opening or closing, whichever the gateway delivered first);
 * amount and reason are filled in from whichever event carries them. Locks the row for the transaction.
 *
 * @example
 * const dispute = await upsertDispute(tx, { id: randomUUID(), paymentId, gateway: 'stripe', disputeRef: 'dp_1', amount: 15000, currency: 'EUR', reason: 'fraudulent' });
 */
export async function upsertDispute(
  tx: Tx,
  row: { id: string; paymentId: string; gateway: GatewayName; disputeRef: string; amount: number | null; currency: string; reason: string | null },
): Promise<DisputeRow> {
  const [dispute] = await tx<DisputeRow[]>`
    insert into payments.disputes ${tx(row)}
    on conflict (gateway, dispute_ref) do update set
      amount = coalesce(payments.disputes.amount, excluded.amount), reason = coalesce(payments.disputes.reason, excluded.reason)
    returning *`;
  return dispute!;
}

/**
 * Closes a dispute as won or lost (`lostAgain`: lost after its reversal; `wonAgain`: won in pre-arbitration, for
 * good), with the fee the gateway reported with this closing, if it did (its latest word on the dispute's fees: a win
 * may say the fee was given back).
 *
 * @example
 * await closeDispute(tx, dispute.id, { status: 'lost', fee: 1500, feeCurrency: 'EUR' });
 */
export async function closeDispute(
  tx: Tx,
  id: string,
  outcome: { status: 'won' | 'lost'; fee: number | null; feeCurrency: string | null; lostAgain?: boolean; wonAgain?: boolean },
): Promise<DisputeRow> {
  const [dispute] = await tx<DisputeRow[]>`
    update payments.disputes set status = ${outcome.status}, lost_again = lost_again or ${outcome.lostAgain ?? false},
      won_again = won_again or ${outcome.wonAgain ?? false},
      fee = coalesce(${outcome.fee}, fee), fee_currency = coalesce(${outcome.feeCurrency}, fee_currency), closed_at = now()
    where id = ${id} returning *`;
  return dispute!;
}

/**
 * Remembers the status a dispute moved the payment from, for its win to return it there. Every dispute that has the
 * payment disputed (or charged back) shares one such status: where the payment stood under all of them. So from
 * `disputed` the dispute takes the status the others that have it disputed remember (it may have been closed itself
 * while another opened: what it remembered from then is stale), else its own.
 *
 * @example
 * await rememberStatusBefore(tx, dispute, 'held');
 */
export async function rememberStatusBefore(tx: Tx, dispute: DisputeRow, before: PaymentStatus): Promise<void> {
  const remembered = before === 'disputed' ? ((await statusUnderOtherDisputes(tx, dispute)) ?? dispute.paymentStatusBefore ?? before) : before;
  await tx`update payments.disputes set payment_status_before = ${remembered} where id = ${dispute.id}`;
}

/**
 * An opening that finds the payment already disputed or charged back by other disputes joins them: it holds the
 * payment too, with the status they remember, so that their win leaves it disputed while this one is open. Answers
 * whether it joined now (false for a dispute that holds the payment already: its opening again).
 *
 * @example
 * if (await joinDisputes(tx, dispute)) await runEffects(tx, settings, payment, ['announce_dispute'], { dispute });
 */
export async function joinDisputes(tx: Tx, dispute: DisputeRow): Promise<boolean> {
  if (dispute.paymentStatusBefore !== null) return false;
  const under = await statusUnderOtherDisputes(tx, dispute);
  if (under) await tx`update payments.disputes set payment_status_before = ${under} where id = ${dispute.id}`;
  return under !== undefined;
}

/**
 * Whether another dispute of the payment still has it disputed (open, and it disputed or joined it): a win of
 * `dispute` then leaves the payment disputed.
 *
 * @example
 * const stands = await anotherDisputeOpen(tx, dispute);
 */
export async function anotherDisputeOpen(tx: Tx, dispute: DisputeRow): Promise<boolean> {
  const [row] = await tx<{ id: string }[]>`
    select id from payments.disputes
    where payment_id = ${dispute.paymentId} and id <> ${dispute.id} and status = 'open' and payment_status_before is not null limit 1`;
  return row !== undefined;
}

/**
 * A refund took the payment out of `disputed` (the state machine never disputes a refunded payment again): its open
 * disputes no longer have it disputed, until one of them is lost or won.
 *
 * @example
 * await releaseOpenDisputes(tx, paymentId);
 */
export async function releaseOpenDisputes(tx: Tx, paymentId: string): Promise<void> {
  await tx`update payments.disputes set payment_status_before = null where payment_id = ${paymentId} and status = 'open'`;
}

/**
 * The status the other disputes that hold the payment remember (open ones that disputed or joined it, or the lost one
 * whose chargeback stands), or undefined when none does.
 */
async function statusUnderOtherDisputes(tx: Tx, dispute: DisputeRow): Promise<PaymentStatus | undefined> {
  const [row] = await tx<{ paymentStatusBefore: PaymentStatus }[]>`
    select o.payment_status_before from payments.disputes o
    where o.payment_id = ${dispute.paymentId} and o.id <> ${dispute.id} and o.payment_status_before is not null
      and (o.status = 'open' or exists (
        select 1 from payments.journal_entries c where c.kind = 'chargeback' and c.ref in (o.id::text, o.id::text || ':again')
          and not exists (select 1 from payments.journal_entries r where r.kind = 'chargeback_reversal' and r.ref = c.ref)))
    order by o.opened_at limit 1`;
  return row?.paymentStatusBefore;
}

/**
 * What the ledger holds as the dispute's fees in `currency` so far (charged less given back).
 *
 * @example
 * const booked = await bookedDisputeFee(tx, dispute.id, 'EUR'); // 1500
 */
export async function bookedDisputeFee(tx: Tx, disputeId: string, currency: string): Promise<number> {
  const [row] = await tx<{ fee: string }[]>`
    select coalesce(sum(l.debit - l.credit), 0) as fee from payments.journal_entries e join payments.journal_lines l on l.entry_id = e.id
    where e.kind = 'fee' and e.ref in ${tx(disputeFeeRefs(disputeId))} and e.currency = ${currency} and l.account = 'platform_fees'`;
  return Number(row!.fee);
}

/**
 * Whether the dispute's (first) chargeback was reversed in the ledger.
 *
 * @example
 * const reversed = await chargebackReversed(tx, dispute.id);
 */
export async function chargebackReversed(tx: Tx, disputeId: string): Promise<boolean> {
  const [row] = await tx<{ id: string }[]>`select id from payments.journal_entries where kind = 'chargeback_reversal' and ref = ${disputeId}`;
  return row !== undefined;
}

/**
 * The dispute's chargeback that stands (booked and not reversed), to reverse it exactly: the one booked again after a
 * reversal (`<dispute>:again`), else the first; undefined when none stands.
 *
 * @example
 * const standing = await standingChargebackOf(tx, dispute.id); // { ref: `${dispute.id}:again`, lines: [...] }
 */
export async function standingChargebackOf(tx: Tx, disputeId: string): Promise<{ ref: string; lines: Line[] } | undefined> {
  const rows = await tx<{ ref: string; account: Line['account']; debit: string; credit: string }[]>`
    select e.ref, l.account, l.debit, l.credit from payments.journal_entries e join payments.journal_lines l on l.entry_id = e.id
    where e.kind = 'chargeback' and e.ref in (${disputeId}, ${`${disputeId}:again`})
      and not exists (select 1 from payments.journal_entries r where r.kind = 'chargeback_reversal' and r.ref = e.ref)
    order by e.id desc, l.id`;
  const ref = rows[0]?.ref;
  if (ref === undefined) return undefined;
  return { ref, lines: rows.filter((r) => r.ref === ref).map((r) => ({ account: r.account, debit: Number(r.debit), credit: Number(r.credit) })) };
}
