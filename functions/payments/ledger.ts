import type { Tx } from '../../shared/db/index.ts';

/** The ledger's accounts (see migrations/0002_ledger.sql). */
export type Account =
  | 'gateway_clearing'
  | 'bank'
  | 'deferred_revenue'
  | 'vat_payable'
  | 'professional_payable'
  | 'revenue'
  | 'refunds'
  | 'professional_cost'
  | 'platform_fees';

export interface Line {
  account: Account;
  debit?: number;
  credit?: number;
}

export interface Entry {
  /** What caused it; with `ref`, the entry's natural key: the same cause is booked once. */
  kind: 'capture' | 'refund' | 'delivery' | 'earning' | 'payout' | 'fee' | 'adjustment' | 'chargeback' | 'chargeback_reversal';
  ref: string;
  currency: string;
  paymentId?: string | null;
  caseId?: string | null;
  country?: string | null;
  lines: Line[];
}

/**
 * Books one journal entry with its lines, once per (kind, ref): a second booking of the same cause is a no-op and
 * returns false. Lines with a zero amount are dropped; lines are written in account order so concurrent bookings
 * touch the running balances in the same order (no deadlocks). Whether the entry balances is checked by the
 * database at COMMIT, not here.
 *
 * @example
 * await book(tx, { kind: 'capture', ref: paymentId, currency: 'EUR', lines: [
 *   { account: 'gateway_clearing', debit: 11900 }, { account: 'deferred_revenue', credit: 10000 }, { account: 'vat_payable', credit: 1900 } ] });
 */
export async function book(tx: Tx, entry: Entry): Promise<boolean> {
  const [created] = await tx<{ id: string }[]>`
    insert into payments.journal_entries (kind, ref, payment_id, case_id, country, currency)
    values (${entry.kind}, ${entry.ref}, ${entry.paymentId ?? null}, ${entry.caseId ?? null}, ${entry.country ?? null}, ${entry.currency})
    on conflict (kind, ref) do nothing
    returning id`;
  if (!created) return false;
  const lines = entry.lines
    .filter((l) => (l.debit ?? 0) !== 0 || (l.credit ?? 0) !== 0)
    .sort((a, b) => a.account.localeCompare(b.account))
    .map((l) => ({ entryId: created.id, account: l.account, debit: l.debit ?? 0, credit: l.credit ?? 0 }));
  if (lines.length) await tx`insert into payments.journal_lines ${tx(lines, 'entryId', 'account', 'debit', 'credit')}`;
  return true;
}

/**
 * Capture of a VAT-inclusive payment: the money sits at the gateway; we owe the service (deferred) and the VAT.
 *
 * @example
 * captureEntry({ paymentId, caseId, country: 'DE', currency: 'EUR', net: 10000, tax: 1900 });
 */
export function captureEntry(p: { paymentId: string; caseId: string; country: string | null; currency: string; net: number; tax: number }): Entry {
  return {
    kind: 'capture', ref: p.paymentId, paymentId: p.paymentId, caseId: p.caseId, country: p.country, currency: p.currency,
    lines: [
      { account: 'gateway_clearing', debit: p.net + p.tax },
      { account: 'deferred_revenue', credit: p.net },
      { account: 'vat_payable', credit: p.tax },
    ],
  };
}

/**
 * A refund going back through the gateway: before its revenue is recognised (delivery) it reduces what we owe
 * (deferred revenue), after that it is a contra-revenue (refunds); the VAT part is owed no more either way.
 *
 * @example
 * refundEntry({ refundId, paymentId, caseId, country: 'DE', currency: 'EUR', net: 10000, tax: 1900, recognised: false });
 */
export function refundEntry(p: { refundId: string; paymentId: string; caseId: string; country: string | null; currency: string; net: number; tax: number; recognised: boolean }): Entry {
  return {
    kind: 'refund', ref: p.refundId, paymentId: p.paymentId, caseId: p.caseId, country: p.country, currency: p.currency,
    lines: [
      { account: p.recognised ? 'refunds' : 'deferred_revenue', debit: p.net },
      { account: 'vat_payable', debit: p.tax },
      { account: 'gateway_clearing', credit: p.net + p.tax },
    ],
  };
}

/**
 * A lost dispute: the card holder's bank took the money back through the gateway. Booked like a refund (before its
 * revenue is recognised it reduces what we owe, after that it is a contra-revenue; the VAT part is owed no more), keyed
 * on the dispute; `again` when the gateway took it a second time after reversing the first (its own key, so booked once).
 *
 * @example
 * chargebackEntry({ disputeId, paymentId, caseId, country: 'DE', currency: 'EUR', net: 10000, tax: 1900, recognised: true });
 */
export function chargebackEntry(p: {
  disputeId: string; again?: boolean; paymentId: string; caseId: string; country: string | null; currency: string; net: number; tax: number; recognised: boolean;
}): Entry {
  return { ...refundEntry({ ...p, refundId: p.again ? `${p.disputeId}:again` : p.disputeId }), kind: 'chargeback' };
}

/** The closings of a dispute that may tell its fee; each settles it once (`lost` keeps the first key ever used). */
export type DisputeClosing = 'lost' | 'won' | 'lost_again' | 'won_again';

/** The keys of a dispute's fee entries, one per closing. */
export const disputeFeeRefs = (disputeId: string): string[] =>
  (['lost', 'won', 'lost_again', 'won_again'] as const).map((closing) => disputeFeeRef(disputeId, closing));

const disputeFeeRef = (disputeId: string, closing: DisputeClosing) => (closing === 'lost' ? `dispute:${disputeId}` : `dispute:${disputeId}:${closing}`);

/**
 * The gateway's fee for a dispute, paid out of what it holds for us (in the currency it charged it in), as settled by
 * one closing of the dispute: `fee` is what that closing adds to what was booked, negative when the gateway gave a fee
 * back (Stripe's reinstatement of a won dispute).
 *
 * @example
 * disputeFeeEntry({ disputeId, closing: 'lost', paymentId, caseId, currency: 'EUR', fee: 1500 });
 * disputeFeeEntry({ disputeId, closing: 'won', paymentId, caseId, currency: 'EUR', fee: -1500 }); // given back
 */
export function disputeFeeEntry(p: { disputeId: string; closing: DisputeClosing; paymentId: string; caseId: string; currency: string; fee: number }): Entry {
  const [charged, returned] = p.fee >= 0 ? [p.fee, 0] : [0, -p.fee];
  return {
    kind: 'fee', ref: disputeFeeRef(p.disputeId, p.closing), paymentId: p.paymentId, caseId: p.caseId, currency: p.currency,
    lines: [
      { account: 'platform_fees', debit: charged, credit: returned },
      { account: 'gateway_clearing', debit: returned, credit: charged },
    ],
  };
}

/**
 * Undoes a chargeback exactly (the gateway gave the money back when the dispute was won after all): the same
 * accounts and amounts with debit and credit swapped, so whatever the chargeback reduced is restored. Keyed like the
 * chargeback it undoes (`ref`: the dispute id, or `<dispute>:again`), so each is undone once.
 *
 * @example
 * const standing = await standingChargebackOf(tx, disputeId);
 * chargebackReversalEntry({ ref: standing.ref, paymentId, caseId, country: 'DE', currency: 'EUR', lines: standing.lines });
 */
export function chargebackReversalEntry(p: { ref: string; paymentId: string; caseId: string; country: string | null; currency: string; lines: Line[] }): Entry {
  return {
    kind: 'chargeback_reversal', ref: p.ref, paymentId: p.paymentId, caseId: p.caseId, country: p.country, currency: p.currency,
    lines: p.lines.map((l) => ({ account: l.account, debit: l.credit ?? 0, credit: l.debit ?? 0 })),
  };
}

/**
 * Revenue recognition when the opinion is delivered: the net the platform keeps of the payment (its invoice's net less
 * what refunds took of it) stops being owed as a service and becomes revenue.
 *
 * @example
 * deliveryEntry({ caseId, paymentId, country: 'DE', currency: 'EUR', net: 10000 });
 */
export function deliveryEntry(p: { caseId: string; paymentId: string; country: string | null; currency: string; net: number }): Entry {
  return {
    kind: 'delivery', ref: p.caseId, paymentId: p.paymentId, caseId: p.caseId, country: p.country, currency: p.currency,
    lines: [
      { account: 'deferred_revenue', debit: p.net },
      { account: 'revenue', credit: p.net },
    ],
  };
}

/**
 * A professional earned a fee: a cost of the service, owed to them until paid out.
 *
 * @example
 * earningEntry({ earningId, caseId, currency: 'EUR', amount: 8000 });
 */
export function earningEntry(p: { earningId: string; caseId: string; currency: string; amount: number }): Entry {
  return {
    kind: 'earning', ref: p.earningId, caseId: p.caseId, currency: p.currency,
    lines: [
      { account: 'professional_cost', debit: p.amount },
      { account: 'professional_payable', credit: p.amount },
    ],
  };
}

/**
 * A payout went out to a professional from the bank.
 *
 * @example
 * payoutEntry({ payoutId, currency: 'EUR', amount: 8000 });
 */
export function payoutEntry(p: { payoutId: string; currency: string; amount: number }): Entry {
  return {
    kind: 'payout', ref: p.payoutId, currency: p.currency,
    lines: [
      { account: 'professional_payable', debit: p.amount },
      { account: 'bank', credit: p.amount },
    ],
  };
}
