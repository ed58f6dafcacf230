import type { Sql, Tx } from '../../shared/db/index.ts';
import type { SignedRow } from './queries.ts';

/** The statements about signed opinions and the delivery (follow-up window) that signing opens. */

type Db = Sql | Tx;

/**
 * Stores a signed opinion (never to change: the schema refuses UPDATE and DELETE).
 *
 * @example
 * await insertSigned(tx, { opinionId, caseId, canonicalSealed, contentHash, signature, kid, signerId, signedAt });
 */
export async function insertSigned(
  tx: Tx,
  row: { opinionId: string; caseId: string; canonicalSealed: string; contentHash: string; signature: string; kid: string; signerId: string; signedAt: Date },
): Promise<void> {
  await tx`insert into opinions.signed ${tx(row)}`;
}

/**
 * The signed opinion of a case.
 *
 * @example
 * const signed = await findSignedByCase(tx, caseId);
 */
export async function findSignedByCase(sql: Db, caseId: string): Promise<SignedRow | undefined> {
  const [row] = await sql<SignedRow[]>`select * from opinions.signed where case_id = ${caseId}`;
  return row;
}

/**
 * A signed opinion or follow-up addendum with this content hash.
 *
 * @example
 * const found = await findSignedByHash(db(), hash);
 */
export async function findSignedByHash(sql: Db, contentHash: string): Promise<SignedRow | undefined> {
  const [row] = await sql<SignedRow[]>`
    select canonical_sealed, content_hash, signature, kid, signer_id, signed_at, case_id from opinions.signed where content_hash = ${contentHash}
    union all
    select canonical_sealed, content_hash, signature, kid, signer_id, signed_at, case_id from opinions.addenda where content_hash = ${contentHash}
    limit 1`;
  return row;
}

/** The follow-up window of a delivered case. */
export interface DeliveryRow {
  caseId: string;
  opinionId: string;
  followUpUntil: Date;
  endedAt: Date | null;
}

/**
 * Opens the follow-up window of a case just signed.
 *
 * @example
 * await insertDelivery(tx, { caseId, opinionId, followUpUntil });
 */
export async function insertDelivery(tx: Tx, row: { caseId: string; opinionId: string; followUpUntil: Date }): Promise<void> {
  await tx`insert into opinions.deliveries ${tx(row)}`;
}

/**
 * The delivery of a case; `forUpdate` locks it (follow-ups are counted under this lock).
 *
 * @example
 * const delivery = await findDelivery(tx, caseId, { forUpdate: true });
 */
export async function findDelivery(sql: Db, caseId: string, options: { forUpdate?: boolean } = {}): Promise<DeliveryRow | undefined> {
  const lock = options.forUpdate ? sql`for update` : sql``;
  const [row] = await sql<DeliveryRow[]>`select * from opinions.deliveries where case_id = ${caseId} ${lock}`;
  return row;
}
