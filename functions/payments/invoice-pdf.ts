import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { InvoiceRow } from './invoices.ts';

const amountText = (minor: string | number, currency: string) => {
  const value = BigInt(minor);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')} ${currency.trim()}`;
};

/**
 * Renders an invoice as a one-page PDF (numbers, VAT split, ids; no health data). Amounts assume two minor-unit
 * digits, which holds for the currencies cases are priced in.
 *
 * @example
 * const bytes = await invoicePdf(row);
 */
export async function invoicePdf(row: InvoiceRow): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Invoice ${row.number}`);
  pdf.setCreator('Consilium');
  pdf.setCreationDate(row.issuedAt);
  pdf.setModificationDate(row.issuedAt);
  const page = pdf.addPage([595, 842]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let y = 780;
  const line = (text: string, options: { bold?: boolean; size?: number } = {}) => {
    page.drawText(text, { x: 56, y, size: options.size ?? 11, font: options.bold ? bold : font });
    y -= (options.size ?? 11) + 10;
  };
  line('Consilium - Invoice', { bold: true, size: 18 });
  line(`Invoice number: ${row.number}`);
  line(`Issued: ${row.issuedAt.toISOString().slice(0, 10)}`);
  line(`Customer: ${row.ownerId}`);
  line(`Case: ${row.caseId}`);
  line(`Country of supply: ${row.country?.trim() || '-'}`);
  y -= 10;
  line('Medical second opinion (prices include VAT)', { bold: true });
  line(`Net: ${amountText(row.net, row.currency)}`);
  line(`VAT ${(row.vatRateBp / 100).toFixed(2)} %: ${amountText(row.tax, row.currency)}`);
  line(`Total: ${amountText(row.gross, row.currency)}`, { bold: true });
  return pdf.save();
}
