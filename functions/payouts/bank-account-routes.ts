import { Hono } from 'hono';
import * as v from 'valibot';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, type FieldError } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { requireProfessionalWithMfa } from './access.ts';
import { openBank, sealBank, type BankDetails } from './bank-seal.ts';
import type { PayoutsSettings } from './config.ts';
import { ibanProblem, isBic, normalizeIban } from './iban.ts';
import { findBankAccount, upsertBankAccount } from './queries.ts';

const BankAccountBody = v.object({
  iban: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64)),
  bic: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(20)))),
  accountHolderName: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(140)),
});

/**
 * The IBAN as shown back: country and check digits, then only the last four characters.
 *
 * @example
 * maskIban('DE89370400440532013000'); // 'DE89••••••••••••••3000'
 */
export const maskIban = (iban: string) => `${iban.slice(0, 4)}${'•'.repeat(Math.max(0, iban.length - 8))}${iban.slice(-4)}`;

const view = (details: BankDetails, updatedAt: Date) => ({
  iban: maskIban(details.iban),
  bic: details.bic,
  accountHolderName: details.accountHolderName,
  updatedAt: updatedAt.toISOString(),
});

/** Checks what the schema cannot: the IBAN's country length and mod-97 check digits, the BIC's shape (422). */
function bankDetails(body: v.InferOutput<typeof BankAccountBody>): BankDetails {
  const errors: FieldError[] = [];
  const iban = normalizeIban(body.iban);
  const problem = ibanProblem(iban);
  if (problem) errors.push({ pointer: '/iban', message: problem });
  const bic = body.bic ? body.bic.replace(/\s+/g, '').toUpperCase() : null;
  if (bic !== null && !isBic(bic)) errors.push({ pointer: '/bic', message: 'a BIC has 8 or 11 letters and digits (bank, country, location, branch)' });
  if (errors.length) throw new HttpProblem(422, 'invalid-bank-details', { detail: 'The bank details are not valid.', errors });
  return { iban, bic, accountHolderName: body.accountHolderName };
}

/**
 * A professional's own bank account for payouts: set it (`PUT`, second factor required) and read it back masked.
 * The details are sealed before they reach the database and never logged.
 *
 * @example
 * app.route('/', bankAccountRoutes(settings));
 */
export function bankAccountRoutes(settings: PayoutsSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.put(
    '/v1/payouts/bank-account',
    describe({ summary: 'Set my bank account for payouts (IBAN checked)', tags: ['payouts'], audience: 'professional (MFA)', responses: { 200: 'Saved', 422: 'Invalid IBAN or BIC' } }),
    validate('json', BankAccountBody),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      requireProfessionalWithMfa(principal);
      const details = bankDetails(c.req.valid('json'));
      const sealed = sealBank(settings.bankKey(), principal.id, details);
      const row = await transaction((tx) => upsertBankAccount(tx, { professionalId: principal.id, sealed, ibanLast4: details.iban.slice(-4) }));
      return c.json(view(details, row.updatedAt));
    },
  );

  app.get(
    '/v1/payouts/bank-account',
    describe({ summary: 'My bank account for payouts, IBAN masked', tags: ['payouts'], audience: 'professional (MFA)' }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      requireProfessionalWithMfa(principal);
      const row = await transaction((tx) => findBankAccount(tx, principal.id));
      if (!row) throw new HttpProblem(404, 'not-found', { detail: 'No bank account is set.' });
      return c.json(view(openBank(settings.bankKey(), principal.id, row.sealed), row.updatedAt));
    },
  );

  return app;
}
