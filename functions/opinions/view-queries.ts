import type { Grade } from '../../shared/auth/grades.ts';
import type { Sql, Tx } from '../../shared/db/index.ts';

/** The statements that keep and read the views this function builds from other functions' events. */

type Db = Sql | Tx;

export interface CaseView {
  caseId: string;
  ownerId: string | null;
  specialty: string | null;
  urgency: 'standard' | 'urgent';
  questionCount: number | null;
  disagreement: boolean;
  authorId: string | null;
  peerReviewRequired: boolean;
  reviewerId: string | null;
}

export interface ProfessionalView {
  professionalId: string;
  grade: Grade;
  specialties: string[];
  status: string;
}

/**
 * Merges facts about a case into its view (creating it): only the given fields change.
 *
 * @example
 * await mergeCase(tx, caseId, { ownerId, urgency: 'urgent', questionCount: 2 });
 */
export async function mergeCase(tx: Tx, caseId: string, facts: Partial<Omit<CaseView, 'caseId'>>): Promise<void> {
  const row = { caseId, ...facts };
  const columns = Object.keys(row) as (keyof typeof row)[];
  const updates = Object.keys(facts) as (keyof typeof facts)[];
  if (updates.length === 0) {
    await tx`insert into opinions.cases ${tx(row, ...columns)} on conflict (case_id) do nothing`;
    return;
  }
  await tx`
    insert into opinions.cases ${tx(row, ...columns)}
    on conflict (case_id) do update set ${tx(facts, ...updates)}, updated_at = now()`;
}

/**
 * Clears the author (and the reviewer, whose review was of that author's draft) when `authorId` lost the case.
 *
 * @example
 * await clearAuthor(tx, caseId, professionalId);
 */
export async function clearAuthor(tx: Tx, caseId: string, authorId: string): Promise<void> {
  await tx`
    update opinions.cases set author_id = null, reviewer_id = null, peer_review_required = false, updated_at = now()
    where case_id = ${caseId} and author_id = ${authorId}`;
}

/**
 * Clears the reviewer when `reviewerId` lost the review (matching took it back); a newer reviewer stays.
 *
 * @example
 * await clearReviewer(tx, caseId, professionalId);
 */
export async function clearReviewer(tx: Tx, caseId: string, reviewerId: string): Promise<void> {
  await tx`update opinions.cases set reviewer_id = null, updated_at = now() where case_id = ${caseId} and reviewer_id = ${reviewerId}`;
}

/**
 * The case as this function knows it; `forUpdate` locks the row.
 *
 * @example
 * const view = await findCaseView(tx, caseId);
 */
export async function findCaseView(sql: Db, caseId: string, options: { forUpdate?: boolean } = {}): Promise<CaseView | undefined> {
  const lock = options.forUpdate ? sql`for update` : sql``;
  const [row] = await sql<CaseView[]>`select * from opinions.cases where case_id = ${caseId} ${lock}`;
  return row;
}

/**
 * Records a verified professional's grade and specialties (a re-verification replaces them).
 *
 * @example
 * await upsertProfessional(tx, { professionalId, grade: 'G3', specialties: ['cardiology'] });
 */
export async function upsertProfessional(tx: Tx, row: { professionalId: string; grade: Grade; specialties: string[] }): Promise<void> {
  const values = { ...row, specialties: tx.json(row.specialties), status: 'active' };
  await tx`
    insert into opinions.professionals ${tx(values)}
    on conflict (professional_id) do update set grade = excluded.grade, specialties = excluded.specialties, status = 'active'`;
}

/**
 * Sets a known professional's status (active, paused, suspended).
 *
 * @example
 * await setProfessionalStatus(tx, professionalId, 'suspended');
 */
export async function setProfessionalStatus(tx: Tx, professionalId: string, status: string): Promise<void> {
  await tx`update opinions.professionals set status = ${status} where professional_id = ${professionalId}`;
}

/**
 * A professional as this function knows them.
 *
 * @example
 * const reviewer = await findProfessional(tx, id);
 */
export async function findProfessional(sql: Db, professionalId: string): Promise<ProfessionalView | undefined> {
  const [row] = await sql<ProfessionalView[]>`select * from opinions.professionals where professional_id = ${professionalId}`;
  return row;
}

/**
 * Records the latest consent decision of a patient for a purpose.
 *
 * @example
 * await upsertConsent(tx, { userId, purpose: 'share_with_treating_physician', granted: true });
 */
export async function upsertConsent(tx: Tx, row: { userId: string; purpose: string; granted: boolean }): Promise<void> {
  await tx`insert into opinions.consents ${tx(row)} on conflict (user_id, purpose) do update set granted = excluded.granted`;
}

/**
 * Whether the patient currently grants `purpose`.
 *
 * @example
 * if (!(await consentGranted(tx, ownerId, 'share_with_treating_physician'))) throw …;
 */
export async function consentGranted(sql: Db, userId: string, purpose: string): Promise<boolean> {
  const [row] = await sql<{ granted: boolean }[]>`select granted from opinions.consents where user_id = ${userId} and purpose = ${purpose}`;
  return row?.granted === true;
}
