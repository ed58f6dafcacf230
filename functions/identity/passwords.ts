import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.ts';

/**
 * Password rules (NIST SP 800-63B): 12 to 256 characters of any Unicode, compared after NFKC normalisation so
 * the same password typed on another keyboard still matches; no composition rules; refused when it is on the
 * list of common passwords. Stored as argon2id (OWASP minimum m=19 MiB, t=2, p=1), rehashed at login when these
 * parameters change.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** The current hashing parameters; raising them makes every login rehash the old hash. */
export const ARGON2 = {
  // Algorithm is a const enum in the typings; 2 is Argon2id.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

const common = new Set(
  COMMON_PASSWORDS.split('\n')
    .map((line) => line.trim())
    .filter(Boolean),
);

/**
 * The form a password is hashed and checked in.
 *
 * @example
 * normalizePassword('ｐａｓｓ'); // 'pass' (full-width letters fold under NFKC)
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Why a new password is refused, or `undefined` when it is acceptable.
 *
 * @example
 * passwordProblem('password1234'); // 'is too common; choose another'
 */
export function passwordProblem(password: string): string | undefined {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  if (common.has(normalized.toLowerCase())) return 'is too common; choose another';
  return undefined;
}

/**
 * Hashes a password with argon2id at the current parameters.
 *
 * @example
 * const stored = await hashPassword('correct horse battery');
 */
export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), ARGON2);
}

/**
 * Checks a password against a stored hash; `false` for a malformed hash too.
 *
 * @example
 * if (await verifyPassword(row.passwordHash, body.password)) { … }
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, normalizePassword(password));
  } catch {
    return false;
  }
}

/**
 * Whether a stored hash was made with other parameters than {@link ARGON2} (and should be replaced at login).
 *
 * @example
 * if (needsRehash(row.passwordHash)) await updatePasswordHash(sql, id, await hashPassword(password));
 */
export function needsRehash(stored: string): boolean {
  try {
    const o = parseOptions(stored);
    return o.algorithm !== ARGON2.algorithm || o.memoryCost !== ARGON2.memoryCost || o.timeCost !== ARGON2.timeCost || o.parallelism !== ARGON2.parallelism;
  } catch {
    return true;
  }
}

// Made when the module loads, so even the first unknown e-mail of a process costs one verification, not a hash too.
const dummy: Promise<string> = hashPassword('dummy password that never matches anything');

/**
 * Spends the time of one real verification for an unknown e-mail, so a login cannot tell an unknown address from
 * a wrong password by timing.
 *
 * @example
 * const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await dummy, password);
  return false;
}
