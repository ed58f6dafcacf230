import type { BatchRow, PayoutRow } from './batch-queries.ts';
import type { EarningRow } from './queries.ts';

/**
 * A professional's statement for one payout: which earnings it pays and their sum, as JSON or as CSV (one row per
 * earning, then a total row). Ids and codes only; the bank account shows as its last four characters.
 */

export interface StatementLine {
  earningId: string;
  caseId: string;
  role: string;
  grade: string;
  urgency: string;
  earnedAt: string;
  amount: { amount: number; currency: string };
}

export interface Statement {
  payoutId: string;
  batchId: string;
  weekKey: string;
  cutoff: string;
  professionalId: string;
  status: 'pending' | 'paid';
  paidAt: string | null;
  amount: { amount: number; currency: string };
  lines: StatementLine[];
}

/**
 * The JSON statement of a payout.
 *
 * @example
 * const statement = statementOf(batch, payout, await earningsOfPayout(tx, payout.id));
 */
export function statementOf(batch: BatchRow, payout: PayoutRow, earnings: EarningRow[]): Statement {
  return {
    payoutId: payout.id,
    batchId: batch.id,
    weekKey: batch.weekKey,
    cutoff: batch.cutoff.toISOString(),
    professionalId: payout.professionalId,
    status: payout.status,
    paidAt: payout.paidAt?.toISOString() ?? null,
    amount: { amount: Number(payout.amount), currency: payout.currency },
    lines: earnings.map((e) => ({
      earningId: e.id,
      caseId: e.caseId,
      role: e.role,
      grade: e.grade,
      urgency: e.urgency,
      earnedAt: e.earnedAt.toISOString(),
      amount: { amount: Number(e.amount), currency: e.currency },
    })),
  };
}

/** One CSV field (RFC 4180), with a leading formula character defused for spreadsheets. */
function field(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const STATEMENT_CSV_HEADER = ['earning_id', 'case_id', 'role', 'grade', 'urgency', 'earned_at', 'amount_minor', 'currency'];

/**
 * The statement as CSV (CRLF line ends): a header, one row per earning, and a `total` row whose amount is the
 * payout's.
 *
 * @example
 * statementCsv(statement).split('\r\n')[0]; // 'earning_id,case_id,role,grade,urgency,earned_at,amount_minor,currency'
 */
export function statementCsv(statement: Statement): string {
  const rows: (string | number)[][] = [
    STATEMENT_CSV_HEADER,
    ...statement.lines.map((l) => [l.earningId, l.caseId, l.role, l.grade, l.urgency, l.earnedAt, l.amount.amount, l.amount.currency]),
    ['total', '', '', '', '', '', statement.amount.amount, statement.amount.currency],
  ];
  return `${rows.map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}
