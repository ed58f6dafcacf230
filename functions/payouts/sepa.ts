import type { BankDetails } from './bank-seal.ts';
import type { Debtor } from './config.ts';
import { decimalAmount, decimalSum } from './money.ts';

/**
 * The SEPA credit-transfer file of a payout batch: ISO 20022 `pain.001.001.09`, one payment block per currency
 * (debtor = the platform), one `CdtTrfTxInf` per payout. Amounts are decimal strings made from minor units
 * without floats; names are reduced to the EPC's Latin character set, which every SEPA bank accepts.
 */

export const PAIN_001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

export interface Transfer {
  payoutId: string;
  amount: bigint | number;
  currency: string;
  creditor: BankDetails;
}

export interface TransferFile {
  batchId: string;
  weekKey: string;
  createdAt: Date;
  debtor: Debtor;
  transfers: Transfer[];
}

/**
 * Escapes text for an XML element or attribute.
 *
 * @example
 * escapeXml('A & B <c>'); // 'A &amp; B &lt;c&gt;'
 */
export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

/**
 * A name as SEPA's basic character set allows it (letters without diacritics, digits, `/-?:().,'+` and space), at
 * most `max` characters.
 *
 * @example
 * sepaText('Dr Zoë Müller-Łukasik'); // 'Dr Zoe Muller- ukasik'
 */
export function sepaText(text: string, max = 70): string {
  const plain = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  const allowed = [...plain].map((ch) => (/[A-Za-z0-9/\-?:().,'+ ]/.test(ch) ? ch : ' ')).join('');
  return allowed.replace(/\s+/g, ' ').trim().slice(0, max) || 'NOTPROVIDED';
}

/** An id as the file wants it: the uuid's 32 hex digits (≤ 35 characters, no separators). */
const fileId = (uuid: string) => uuid.replaceAll('-', '').toUpperCase();

const element = (name: string, content: string, attributes = '') => `<${name}${attributes}>${content}</${name}>`;
const text = (name: string, value: string) => element(name, escapeXml(value));

function transaction(t: Transfer, weekKey: string): string {
  return element(
    'CdtTrfTxInf',
    element('PmtId', text('EndToEndId', fileId(t.payoutId))) +
      element('Amt', element('InstdAmt', decimalAmount(t.amount, t.currency), ` Ccy="${escapeXml(t.currency)}"`)) +
      (t.creditor.bic ? element('CdtrAgt', element('FinInstnId', text('BICFI', t.creditor.bic))) : '') +
      element('Cdtr', text('Nm', sepaText(t.creditor.accountHolderName))) +
      element('CdtrAcct', element('Id', text('IBAN', t.creditor.iban))) +
      element('RmtInf', text('Ustrd', `Consilium payout ${weekKey}`)),
  );
}

function paymentBlock(file: TransferFile, currency: string, transfers: Transfer[]): string {
  return element(
    'PmtInf',
    text('PmtInfId', `${fileId(file.batchId).slice(0, 31)}${currency}`) +
      text('PmtMtd', 'TRF') +
      text('BtchBookg', 'true') +
      text('NbOfTxs', String(transfers.length)) +
      text('CtrlSum', decimalSum(transfers)) +
      // The SEPA service level exists only for euro; other currencies go as ordinary credit transfers.
      (currency === 'EUR' ? element('PmtTpInf', element('SvcLvl', text('Cd', 'SEPA'))) : '') +
      element('ReqdExctnDt', text('Dt', file.createdAt.toISOString().slice(0, 10))) +
      element('Dbtr', text('Nm', sepaText(file.debtor.name))) +
      element('DbtrAcct', element('Id', text('IBAN', file.debtor.iban))) +
      element('DbtrAgt', element('FinInstnId', text('BICFI', file.debtor.bic))) +
      text('ChrgBr', 'SLEV') +
      transfers.map((t) => transaction(t, file.weekKey)).join(''),
  );
}

/**
 * The pain.001.001.09 document of a batch; transfers in the given order, grouped by currency.
 *
 * @example
 * const xml = painXml({ batchId, weekKey: '2026-W49', createdAt, debtor: DEFAULT_DEBTOR, transfers });
 */
export function painXml(file: TransferFile): string {
  const currencies = [...new Set(file.transfers.map((t) => t.currency))];
  const header = element(
    'GrpHdr',
    text('MsgId', fileId(file.batchId)) +
      text('CreDtTm', `${file.createdAt.toISOString().slice(0, 19)}Z`) +
      text('NbOfTxs', String(file.transfers.length)) +
      text('CtrlSum', decimalSum(file.transfers)) +
      element('InitgPty', text('Nm', sepaText(file.debtor.name))),
  );
  const blocks = currencies.map((ccy) => paymentBlock(file, ccy, file.transfers.filter((t) => t.currency === ccy)));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('Document', element('CstmrCdtTrfInitn', header + blocks.join('')), ` xmlns="${PAIN_001_NAMESPACE}"`)}\n`;
}
