import type { Sql, Tx } from '../../shared/db/index.ts';

/** The statements about share links and their audited uses. */

export interface ShareLinkRow {
  id: string;
  caseId: string;
  createdBy: string;
  tokenHash: string;
  expiresAt: Date;
}

/**
 * Stores a share link by the hash of its token (the token itself is shown once and never stored).
 *
 * @example
 * await insertShareLink(tx, { id, caseId, createdBy, tokenHash, expiresAt });
 */
export async function insertShareLink(tx: Tx, row: ShareLinkRow): Promise<void> {
  await tx`insert into opinions.share_links ${tx(row)}`;
}

/**
 * The link whose token hashes to `tokenHash`, if it has not expired at `now`.
 *
 * @example
 * const link = await findLiveShareLink(tx, sha256(token), new Date());
 */
export async function findLiveShareLink(sql: Sql | Tx, tokenHash: string, now: Date): Promise<ShareLinkRow | undefined> {
  const [row] = await sql<ShareLinkRow[]>`select * from opinions.share_links where token_hash = ${tokenHash} and expires_at > ${now}`;
  return row;
}

/**
 * Audits one use of a link.
 *
 * @example
 * await insertShareUse(tx, { linkId, format: 'pdf' });
 */
export async function insertShareUse(tx: Tx, row: { linkId: string; format: 'json' | 'pdf' }): Promise<void> {
  await tx`insert into opinions.share_uses ${tx(row)}`;
}
