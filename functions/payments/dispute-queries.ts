import type { Tx } from '../../shared/db/index.ts';
import type { Line } from './ledger.ts';
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
 * good), with the fee the gateway reported (lost only; the first fee reported is kept, as it is the one booked).
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
      fee = coalesce(fee, ${outcome.fee}), fee_currency = coalesce(fee_currency, ${outcome.feeCurrency}), closed_at = now()
    where id = ${id} returning *`;
  return dispute!;
}

/**
 * Remembers the status a dispute moved the payment from, for its win to return it there. From `disputed` the status
 * is kept when this dispute opened it (its charge back follows its own opening); otherwise another dispute had it
 * disputed, which is where a win returns it.
 *
 * @example
 * await rememberStatusBefore(tx, dispute.id, 'held');
 */
export async function rememberStatusBefore(tx: Tx, id: string, before: PaymentStatus): Promise<void> {
  await tx`
    update payments.disputes set payment_status_before =
      case when ${before}::text = 'disputed' then coalesce(payment_status_before, ${before}::text) else ${before}::text end
    where id = ${id}`;
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
