import type { Sql, Tx } from '../../shared/db/index.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { keyring as sharedKeyring, KeyShreddedError, open, seal, type Keyring } from '../../shared/keyring/index.ts';

/**
 * Opinion text at rest: sealed under the patient's data key (shared keyring), each value bound to what it is, so a
 * sealed value cannot be moved to another row. Signed content is bound to its own hash.
 *
 * @example
 * seal(key, comments, contexts.review(opinionId, 2));
 */
export const contexts = {
  version: (opinionId: string, version: number) => `opinion:${opinionId}:version:${version}`,
  review: (opinionId: string, round: number) => `opinion:${opinionId}:review:${round}`,
  signed: (contentHash: string) => `opinion-signed:${contentHash.trim()}`,
  followUp: (followUpId: string) => `opinion-follow-up:${followUpId}`,
};


/**
 * The patient's data key for writing (created on first use). An unknown owner (case.submitted.v1 not seen yet) is
 * a 409; an erased patient is a 409 too: nothing new is stored for them.
 *
 * @example
 * const key = await writeKey(tx, view.ownerId, keyring);
 */
export async function writeKey(tx: Tx, ownerId: string | null, keyring: Keyring = sharedKeyring()): Promise<Buffer> {
  if (!ownerId) throw problems.conflict('case-unknown', 'The case has not been announced to opinions yet; try again shortly.');
  try {
    return await keyring.keyFor(tx, ownerId);
  } catch (error) {
    if (error instanceof KeyShreddedError) throw new HttpProblem(409, 'erased', { detail: "The patient's data was erased." });
    throw error;
  }
}

/**
 * The patient's data key for reading, or undefined when there is none (never written, or shredded by erasure).
 *
 * @example
 * const key = await readKey(tx, view.ownerId);
 */
export async function readKey(sql: Sql | Tx, ownerId: string | null, keyring: Keyring = sharedKeyring()): Promise<Buffer | undefined> {
  return ownerId ? keyring.existingKey(sql, ownerId) : undefined;
}

/**
 * Seals a JSON value.
 *
 * @example
 * const sealed = sealJson(key, content, contexts.version(opinionId, 2));
 */
export function sealJson(key: Buffer, value: unknown, context: string): string {
  return seal(key, JSON.stringify(value), context);
}

/**
 * Opens a sealed JSON value (throws when the key, the context or a byte differs).
 *
 * @example
 * const content = openJson<DraftContent>(key, row.contentSealed, contexts.version(row.opinionId, row.version));
 */
export function openJson<T>(key: Buffer, sealed: string, context: string): T {
  return JSON.parse(open(key, sealed, context)) as T;
}

export { open, seal };
