import { transaction, type Sql } from '../../shared/db/index.ts';
import { createAccount } from './accounts.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { isUniqueViolation } from './queries.ts';

/** Thrown by {@link createUser} with a message fit for the terminal. */
export class CreateUserError extends Error {
  override name = 'CreateUserError';
}

/**
 * Creates an ops account: the only way one is made (`npm run ops -- create-user --role ops --email … --password …`).
 * The password follows the same rules as everyone's; ops must enrol MFA before they see case data.
 *
 * @example
 * const { id } = await createUser(db(), { role: 'ops', email: 'ops@consilium.health', password: 'a long ops passphrase' });
 */
export async function createUser(sql: Sql, input: { role: 'ops'; email: string; password: string; name?: string }): Promise<{ id: string }> {
  if (input.role !== 'ops') throw new CreateUserError('only ops accounts are created here; patients and professionals sign up');
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new CreateUserError('--email must be an e-mail address');
  const problem = passwordProblem(input.password);
  if (problem) throw new CreateUserError(`--password ${problem}`);
  const passwordHash = await hashPassword(input.password);
  try {
    const { id } = await transaction((tx) => createAccount(tx, { email, passwordHash, role: 'ops', name: input.name }), sql);
    return { id };
  } catch (error) {
    if (isUniqueViolation(error)) throw new CreateUserError(`an account with e-mail ${email} exists`);
    throw error;
  }
}
