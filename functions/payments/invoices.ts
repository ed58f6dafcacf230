import { randomUUID } from 'node:crypto';
import type { Sql, Tx } from '../../shared/db/index.ts';
import { splitGross, vatRateFor, type VatSplit } from './vat.ts';

type Db = Sql | Tx;

export interface InvoiceRow {
  id: string;
  number: string;
  year: number;
  seq: number;
  paymentId: string;
  caseId: string;
  ownerId: string;
  country: string | null;
  currency: string;
  net: string | number;
  tax: string | number;
  gross: string | number;
  vatRateBp: number;
  issuedAt: Date;
}

/**
 * Issues the invoice of a captured payment, in the capture's transaction: the year's counter row is incremented
 * (locking it until COMMIT), so numbers are sequential and gap-free — a rolled-back capture gives its number back.
 * Issuing twice for one payment returns the first invoice.
 *
 * @example
 * const invoice = await issueInvoice(tx, { paymentId, caseId, ownerId, country: 'DE', currency: 'EUR', gross: 29000, vatBp: DEFAULT_VAT_BP, at: new Date() });
 */
export async function issueInvoice(
  tx: Tx,
  p: { paymentId: string; caseId: string; ownerId: string; country: string | null; currency: string; gross: number; vatBp: Record<string, number>; at: Date },
): Promise<InvoiceRow> {
  const existing = await invoiceOfPayment(tx, p.paymentId);
  if (existing) return existing;
  const year = p.at.getUTCFullYear();
  const [counter] = await tx<{ last: number }[]>`
    insert into payments.invoice_counters (year, last) values (${year}, 1)
    on conflict (year) do update set last = payments.invoice_counters.last + 1
    returning last`;
  const seq = counter!.last;
  const split = splitGross(p.gross, vatRateFor(p.vatBp, p.country));
  const [row] = await tx<InvoiceRow[]>`
    insert into payments.invoices ${tx({
      id: randomUUID(),
      number: `${year}-${String(seq).padStart(6, '0')}`,
      year,
      seq,
      paymentId: p.paymentId,
      caseId: p.caseId,
      ownerId: p.ownerId,
      country: p.country,
      currency: p.currency,
      net: split.net,
      tax: split.tax,
      gross: split.gross,
      vatRateBp: split.rateBp,
      issuedAt: p.at,
    })}
    returning *`;
  return row!;
}

/**
 * The invoice of a payment, if issued.
 *
 * @example
 * const invoice = await invoiceOfPayment(tx, paymentId);
 */
export async function invoiceOfPayment(sql: Db, paymentId: string): Promise<InvoiceRow | undefined> {
  const [row] = await sql<InvoiceRow[]>`select * from payments.invoices where payment_id = ${paymentId}`;
  return row;
}

/**
 * An invoice by id.
 *
 * @example
 * const invoice = await findInvoice(db(), id);
 */
export async function findInvoice(sql: Db, id: string): Promise<InvoiceRow | undefined> {
  const [row] = await sql<InvoiceRow[]>`select * from payments.invoices where id = ${id}`;
  return row;
}

/** The invoice's VAT split as numbers. */
export const splitOf = (row: InvoiceRow): VatSplit => ({ net: Number(row.net), tax: Number(row.tax), gross: Number(row.gross), rateBp: row.vatRateBp });

/**
 * The public JSON of an invoice.
 *
 * @example
 * c.json(invoiceView(row));
 */
export function invoiceView(row: InvoiceRow) {
  const money = (amount: string | number) => ({ amount: Number(amount), currency: row.currency.trim() });
  return {
    id: row.id,
    number: row.number,
    paymentId: row.paymentId,
    caseId: row.caseId,
    issuedAt: row.issuedAt.toISOString(),
    country: row.country?.trim() ?? null,
    vatRate: row.vatRateBp / 100,
    pricesIncludeVat: true,
    net: money(row.net),
    tax: money(row.tax),
    gross: money(row.gross),
  };
}
