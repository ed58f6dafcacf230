import { defaultBankKey } from './bank-seal.ts';
import { ibanProblem, isBic } from './iban.ts';
import { checkRates, DEFAULT_RATES, type RateTable } from './rates.ts';

/**
 * The settings of the payouts function, as options with defaults (no environment names of its own): what
 * professionals are paid in, the fee table, who pays (the debtor of the credit-transfer file), the key that seals
 * bank details, and the clock.
 */

/** The platform's own account, from which credit transfers are made. */
export interface Debtor {
  name: string;
  iban: string;
  bic: string;
}

export interface PayoutsOptions {
  /** ISO 4217 code every earning is recorded and paid in; default EUR. */
  currency?: string;
  rates?: RateTable;
  debtor?: Debtor;
  /** 32 bytes for AES-256-GCM; derived from DATA_MASTER_KEY by default. */
  bankKey?: Buffer;
  now?: () => Date;
}

/** The options with defaults filled in; the bank key is resolved on first use, so importing the function reads no configuration. */
export type PayoutsSettings = Required<Omit<PayoutsOptions, 'bankKey'>> & { bankKey(): Buffer };

/** The debtor until operators set the platform's real account (the IBAN is the ISO 13616 example). */
export const DEFAULT_DEBTOR: Debtor = { name: 'Consilium Health', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' };

/**
 * Fills in defaults and checks what was given, so a bad table or key stops the function when it is created.
 *
 * @example
 * const settings = payoutsSettings({ currency: 'GBP' });
 */
export function payoutsSettings(options: PayoutsOptions = {}): PayoutsSettings {
  const currency = options.currency ?? 'EUR';
  const rates = options.rates ?? DEFAULT_RATES;
  checkRates(rates, currency);
  const debtor = options.debtor ?? DEFAULT_DEBTOR;
  const debtorProblem = ibanProblem(debtor.iban) ?? (isBic(debtor.bic) ? undefined : 'its BIC is not a BIC');
  if (debtorProblem) throw new Error(`the payouts debtor account is not valid: ${debtorProblem}`);
  if (options.bankKey && options.bankKey.length !== 32) throw new Error('the payouts bank key must be 32 bytes');
  let key = options.bankKey;
  const bankKey = () => (key ??= defaultBankKey());
  return { currency, rates, debtor, bankKey, now: options.now ?? (() => new Date()) };
}
