import type { Sql, Tx } from '../../shared/db/index.ts';

type Db = Sql | Tx;

/** Ops reports over the ledger and the gateway events; all amounts are integer minor units per currency. */

const n = (x: string | number | null) => Number(x ?? 0);

/**
 * Revenue recognised per month (UTC) and currency, net of refunds booked after delivery.
 *
 * @example
 * await transaction(revenueByMonth); // [{ month: '2026-12', currency: 'EUR', revenue: 24370 }]
 */
export async function revenueByMonth(sql: Db) {
  const rows = await sql<{ month: string; currency: string; revenue: string }[]>`
    select to_char(e.booked_at at time zone 'UTC', 'YYYY-MM') as month, e.currency,
           sum(l.credit - l.debit) as revenue
    from payments.journal_lines l join payments.journal_entries e on e.id = l.entry_id
    where l.account in ('revenue', 'refunds')
    group by 1, 2 order by 1, 2`;
  return rows.map((r) => ({ month: r.month, currency: r.currency.trim(), revenue: n(r.revenue) }));
}

/**
 * What is owed to patients as service not yet delivered, per currency (credit balance of deferred revenue).
 *
 * @example
 * await transaction(deferredBalance); // [{ currency: 'EUR', balance: 24370 }]
 */
export async function deferredBalance(sql: Db) {
  const rows = await sql<{ currency: string; balance: string }[]>`
    select currency, credit - debit as balance from payments.account_balances where account = 'deferred_revenue' order by currency`;
  return rows.map((r) => ({ currency: r.currency.trim(), balance: n(r.balance) }));
}

/**
 * VAT due per patient country and currency (VAT payable booked at capture, less refunds).
 *
 * @example
 * await transaction(vatDue); // [{ country: 'DE', currency: 'EUR', due: 4630 }]
 */
export async function vatDue(sql: Db) {
  const rows = await sql<{ country: string | null; currency: string; due: string }[]>`
    select e.country, e.currency, sum(l.credit - l.debit) as due
    from payments.journal_lines l join payments.journal_entries e on e.id = l.entry_id
    where l.account = 'vat_payable' group by 1, 2 order by 1, 2`;
  return rows.map((r) => ({ country: r.country?.trim() ?? null, currency: r.currency.trim(), due: n(r.due) }));
}

/**
 * What is owed to professionals and not yet paid out, per currency (professional payable balance).
 *
 * @example
 * await transaction(payoutsDue); // [{ currency: 'EUR', due: 8000 }]
 */
export async function payoutsDue(sql: Db) {
  const rows = await sql<{ currency: string; due: string }[]>`
    select currency, credit - debit as due from payments.account_balances where account = 'professional_payable' order by currency`;
  return rows.map((r) => ({ currency: r.currency.trim(), due: n(r.due) }));
}

/**
 * Gateway events against the ledger, listing every mismatch: a gateway event that matched no payment or disagreed
 * on the amount; a captured payment without its capture entry or whose entry is not its amount; a confirmed refund
 * without its entry; a capture entry whose payment never took money.
 *
 * @example
 * const { mismatches } = await transaction(reconciliation);
 */
export async function reconciliation(sql: Db) {
  const rows = await sql<{ kind: string; paymentId: string | null; ref: string | null; expected: string | null; booked: string | null }[]>`
    select 'unmatched-gateway-event' as kind, null::uuid as payment_id, g.gateway || ':' || g.event_key as ref, g.amount as expected, null::bigint as booked
      from payments.gateway_events g where g.outcome in ('unmatched', 'amount-mismatch')
    union all
    select 'capture-not-booked', p.id, p.gateway_ref, p.amount, null
      from payments.payments p
      where p.status in ('captured', 'held', 'refunding', 'disputed', 'refunded')
        and not exists (select 1 from payments.journal_entries e where e.kind = 'capture' and e.ref = p.id::text)
    union all
    select 'capture-amount-differs', p.id, p.gateway_ref, p.amount, l.debit
      from payments.payments p
      join payments.journal_entries e on e.kind = 'capture' and e.ref = p.id::text
      join payments.journal_lines l on l.entry_id = e.id and l.account = 'gateway_clearing'
      where l.debit <> p.amount
    union all
    select 'refund-not-booked', r.payment_id, r.gateway_ref, r.amount, null
      from payments.refunds r
      where r.status = 'succeeded' and not exists (select 1 from payments.journal_entries e where e.kind = 'refund' and e.ref = r.id::text)
    union all
    select 'booked-without-payment', p.id, p.gateway_ref, null, l.debit
      from payments.journal_entries e
      join payments.payments p on p.id::text = e.ref
      join payments.journal_lines l on l.entry_id = e.id and l.account = 'gateway_clearing'
      where e.kind = 'capture' and p.status in ('pending', 'failed')
    order by 1, 2`;
  return {
    mismatches: rows.map((r) => ({ kind: r.kind, paymentId: r.paymentId, ref: r.ref, expected: r.expected === null ? null : n(r.expected), booked: r.booked === null ? null : n(r.booked) })),
  };
}
