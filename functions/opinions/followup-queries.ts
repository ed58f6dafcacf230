import type { Sql, Tx } from '../../shared/db/index.ts';
import type { SignedRow } from './queries.ts';

/** The statements about follow-up questions, their signed answers, and the window that closes them. */

type Db = Sql | Tx;

export interface FollowUpRow {
  id: string;
  caseId: string;
  seq: number;
  ownerId: string;
  /** The question, sealed (vault.ts, contexts.followUp). */
  textSealed: string;
  askedAt: Date;
}

/** A follow-up with its signed answer, when there is one. */
export interface FollowUpWithAnswer extends FollowUpRow {
  answer: SignedRow | null;
}

/**
 * Records follow-up number `seq`; the unique (case, seq) and seq ≤ 3 hold the limit whatever the interleaving.
 *
 * @example
 * await insertFollowUp(tx, { id, caseId, seq: 1, ownerId, textSealed, askedAt });
 */
export async function insertFollowUp(tx: Tx, row: FollowUpRow): Promise<void> {
  await tx`insert into opinions.followups ${tx(row)}`;
}

/**
 * A case's follow-ups with their answers, in order.
 *
 * @example
 * const items = await listFollowUps(tx, caseId);
 */
export async function listFollowUps(sql: Db, caseId: string): Promise<FollowUpWithAnswer[]> {
  const rows = await sql<(FollowUpRow & { aCanonicalSealed: string | null; aContentHash: string | null; aSignature: string | null; aKid: string | null; aSignerId: string | null; aSignedAt: Date | null })[]>`
    select f.*, a.canonical_sealed as a_canonical_sealed, a.content_hash as a_content_hash, a.signature as a_signature, a.kid as a_kid,
           a.signer_id as a_signer_id, a.signed_at as a_signed_at
    from opinions.followups f left join opinions.addenda a on a.followup_id = f.id
    where f.case_id = ${caseId} order by f.seq`;
  return rows.map(({ aCanonicalSealed, aContentHash, aSignature, aKid, aSignerId, aSignedAt, ...row }) => ({
    ...row,
    answer: aCanonicalSealed
      ? { canonicalSealed: aCanonicalSealed, contentHash: aContentHash!, signature: aSignature!, kid: aKid!, signerId: aSignerId!, signedAt: aSignedAt!, caseId: row.caseId }
      : null,
  }));
}

/**
 * Stores the signed answer to a follow-up (the schema refuses to change it, and a second answer collides).
 *
 * @example
 * await insertAddendum(tx, { followupId, caseId, canonicalSealed, contentHash, signature, kid, signerId, signedAt });
 */
export async function insertAddendum(
  tx: Tx,
  row: { followupId: string; caseId: string; canonicalSealed: string; contentHash: string; signature: string; kid: string; signerId: string; signedAt: Date },
): Promise<boolean> {
  const inserted = await tx`insert into opinions.addenda ${tx(row)} on conflict (followup_id) do nothing returning followup_id`;
  return inserted.length === 1;
}

/**
 * Ends the follow-up windows that are over — time ran out, or every allowed follow-up was asked and answered — and
 * returns them. Each window ends once: the conditional update is the guard, so overlapping runs cannot both end it.
 *
 * @example
 * const ended = await endFollowUpWindows(tx, new Date(), 3);
 */
export async function endFollowUpWindows(tx: Tx, now: Date, maxFollowUps: number): Promise<{ caseId: string; opinionId: string }[]> {
  return tx<{ caseId: string; opinionId: string }[]>`
    update opinions.deliveries d set ended_at = ${now}
    where d.ended_at is null
      and (d.follow_up_until <= ${now}
           or (select count(*) from opinions.addenda a where a.case_id = d.case_id) >= ${maxFollowUps})
    returning d.case_id, d.opinion_id`;
}
