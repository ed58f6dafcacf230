import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { Role } from '../../shared/auth/principal.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import { UserRegisteredV1 } from '../../events/identity.ts';
import { newDataKey, personCipher, unwrapDataKey, type PersonCipher } from './crypto.ts';
import { passwordProblem } from './passwords.ts';
import { insertUser, type UserRow } from './queries.ts';

/** Field schemas shared by every way of creating an account. */
export const Email = v.pipe(v.string(), v.trim(), v.maxLength(254), v.email('must be an e-mail address'));
export const Password = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? passwordProblem(dataset.value) : undefined;
    if (problem) addIssue({ message: `password ${problem}` });
  }),
);
export const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200));
export const Country = v.pipe(v.string(), v.trim(), v.toUpperCase(), v.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'));
export const Locale = v.pipe(v.string(), v.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag, e.g. fr-FR'));
export const Phone = v.pipe(v.string(), v.trim(), v.regex(/^\+[1-9][0-9 ]{5,19}$/, 'must be an international number, e.g. +33 6 12 34 56 78'));

/** What an account is created with; the password is already hashed. */
export interface NewAccount {
  email: string;
  passwordHash: string;
  role: Role;
  name?: string | undefined;
  phone?: string | undefined;
  locale?: string | undefined;
  country?: string | undefined;
}

/**
 * Inserts an account with its own data key (name and phone sealed under it) and emits
 * `identity.user.registered.v1`. A taken e-mail fails with a unique violation ({@link isUniqueViolation}).
 *
 * @example
 * const { id, cipher } = await createAccount(tx, { email, passwordHash, role: 'patient', name, country: 'FR' });
 */
export async function createAccount(tx: Tx, account: NewAccount): Promise<{ id: string; cipher: PersonCipher }> {
  const id = randomUUID();
  const { key, wrapped } = newDataKey(id);
  const cipher = personCipher(id, key);
  await insertUser(tx, {
    id,
    email: account.email,
    passwordHash: account.passwordHash,
    role: account.role,
    locale: account.locale ?? null,
    country: account.country ?? null,
    dataKey: wrapped,
    nameSealed: account.name ? cipher.seal('name', account.name) : null,
    phoneSealed: account.phone ? cipher.seal('phone', account.phone) : null,
  });
  await emit(tx, UserRegisteredV1, { source: 'identity', subject: id, data: { userId: id, role: account.role, country: account.country ?? null, locale: account.locale ?? null } });
  return { id, cipher };
}

/**
 * The cipher of a stored person, or `undefined` once their key was shredded (erasure).
 *
 * @example
 * const name = row.nameSealed && cipherOf(row)?.open('name', row.nameSealed);
 */
export function cipherOf(row: Pick<UserRow, 'id' | 'dataKey'>): PersonCipher | undefined {
  return row.dataKey ? personCipher(row.id, unwrapDataKey(row.id, row.dataKey)) : undefined;
}
