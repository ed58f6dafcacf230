import type { Sql, Tx } from '../../shared/db/index.ts';

/** The statements of the opinions schema that are about the opinion itself; views live in view-queries.ts. */

type Db = Sql | Tx;

export type OpinionStatus = 'draft' | 'peer_review' | 'changes_requested' | 'ready_to_sign' | 'signed' | 'archived';

/** What the author writes: the body of every version. */
export interface DraftContent {
  summary: string;
  answers: { question: string; answer: string }[];
  recommendations: string;
  references?: string[];
  trials?: string[];
}

export interface OpinionRow {
  id: string;
  caseId: string;
  authorId: string;
  status: OpinionStatus;
  peerReview: boolean | null;
  reviewRound: number;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface VersionRow {
  opinionId: string;
  version: number;
  /** The {@link DraftContent}, sealed (vault.ts, contexts.version). */
  contentSealed: string;
  savedBy: string;
  savedAt: Date;
}

export interface ReviewRow {
  round: number;
  reviewerId: string;
  decision: 'approve' | 'changes_requested';
  commentsSealed: string | null;
  at: Date;
}

/** A signed opinion or addendum as stored: enough (with the patient's key) to verify it again from scratch. */
export interface SignedRow {
  /** The canonical text, sealed (vault.ts, contexts.signed). */
  canonicalSealed: string;
  contentHash: string;
  signature: string;
  kid: string;
  signerId: string;
  signedAt: Date;
  caseId: string;
}

/**
 * The case's opinion that is not archived (there is at most one); `forUpdate` locks it.
 *
 * @example
 * const opinion = await findLiveOpinion(tx, caseId, { forUpdate: true });
 */
export async function findLiveOpinion(sql: Db, caseId: string, options: { forUpdate?: boolean } = {}): Promise<OpinionRow | undefined> {
  const lock = options.forUpdate ? sql`for update` : sql``;
  const [row] = await sql<OpinionRow[]>`select * from opinions.opinions where case_id = ${caseId} and status <> 'archived' ${lock}`;
  return row;
}

/**
 * Starts an opinion (first draft save). A concurrent first save by the same author loses on the unique index.
 *
 * @example
 * await insertOpinion(tx, { id: randomUUID(), caseId, authorId });
 */
export async function insertOpinion(tx: Tx, row: { id: string; caseId: string; authorId: string }): Promise<OpinionRow | undefined> {
  const [inserted] = await tx<OpinionRow[]>`
    insert into opinions.opinions ${tx(row)} on conflict (case_id) where status <> 'archived' do nothing returning *`;
  return inserted;
}

/**
 * Changes an opinion's state (the database refuses any change once it is signed).
 *
 * @example
 * await updateOpinion(tx, id, { status: 'peer_review', peerReview: true });
 */
export async function updateOpinion(
  tx: Tx,
  id: string,
  patch: Partial<Pick<OpinionRow, 'status' | 'peerReview' | 'reviewRound' | 'currentVersion'>>,
): Promise<void> {
  await tx`update opinions.opinions set ${tx(patch)}, updated_at = now() where id = ${id}`;
}

/**
 * Archives the case's unsigned opinion by `authorId` (they lost the case); returns how many were archived.
 *
 * @example
 * await archiveOpinionsOf(tx, caseId, professionalId);
 */
export async function archiveOpinionsOf(tx: Tx, caseId: string, authorId: string): Promise<number> {
  const rows = await tx`
    update opinions.opinions set status = 'archived', updated_at = now()
    where case_id = ${caseId} and author_id = ${authorId} and status not in ('signed', 'archived') returning id`;
  return rows.length;
}

/**
 * Archives the case's unsigned opinion written by anyone but `authorId` (a new author was assigned: whatever the
 * previous one left, even if the revocation has not arrived yet, is not theirs to continue).
 *
 * @example
 * await archiveOpinionsNotBy(tx, caseId, newAuthorId);
 */
export async function archiveOpinionsNotBy(tx: Tx, caseId: string, authorId: string): Promise<number> {
  const rows = await tx`
    update opinions.opinions set status = 'archived', updated_at = now()
    where case_id = ${caseId} and author_id <> ${authorId} and status not in ('signed', 'archived') returning id`;
  return rows.length;
}

/**
 * How many of the case's opinions (archived ones included) went to peer review: the round of its latest review request.
 *
 * @example
 * const round = await reviewRequestsOf(tx, caseId);
 */
export async function reviewRequestsOf(tx: Tx, caseId: string): Promise<number> {
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from opinions.opinions where case_id = ${caseId} and peer_review`;
  return row!.n;
}

/**
 * Keeps one saved version for good.
 *
 * @example
 * await insertVersion(tx, { opinionId, version: 2, contentSealed, savedBy: principal.id });
 */
export async function insertVersion(tx: Tx, row: { opinionId: string; version: number; contentSealed: string; savedBy: string }): Promise<void> {
  await tx`insert into opinions.versions ${tx(row)}`;
}

/**
 * One version of an opinion.
 *
 * @example
 * const latest = await findVersion(tx, opinion.id, opinion.currentVersion);
 */
export async function findVersion(sql: Db, opinionId: string, version: number): Promise<VersionRow | undefined> {
  const [row] = await sql<VersionRow[]>`select * from opinions.versions where opinion_id = ${opinionId} and version = ${version}`;
  return row;
}

/**
 * Every version of an opinion, oldest first.
 *
 * @example
 * const history = await listVersions(tx, opinion.id);
 */
export async function listVersions(sql: Db, opinionId: string): Promise<VersionRow[]> {
  return sql<VersionRow[]>`select * from opinions.versions where opinion_id = ${opinionId} order by version`;
}

/**
 * Records one review decision (one round).
 *
 * @example
 * await insertReview(tx, { opinionId, round: 1, reviewerId, decision: 'approve', commentsSealed: null });
 */
export async function insertReview(tx: Tx, row: { opinionId: string; round: number; reviewerId: string; decision: ReviewRow['decision']; commentsSealed: string | null }): Promise<void> {
  await tx`insert into opinions.reviews ${tx(row)}`;
}

/**
 * The review rounds of an opinion, in order.
 *
 * @example
 * const rounds = await listReviews(tx, opinion.id);
 */
export async function listReviews(sql: Db, opinionId: string): Promise<ReviewRow[]> {
  return sql<ReviewRow[]>`select round, reviewer_id, decision, comments_sealed, at from opinions.reviews where opinion_id = ${opinionId} order by round`;
}
