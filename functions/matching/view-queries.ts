import type { Grade } from '../../shared/auth/grades.ts';
import { lockNamed, type Sql, type Tx } from '../../shared/db/index.ts';

/** Statements on matching's views of professionals, patients and cases (fed by identity's and cases' events). */

type Db = Sql | Tx;

export interface CaseView {
  id: string;
  ownerId: string | null;
  status: string | null;
  preferredProfessionalId: string | null;
  patientCountry: string | null;
  patientLanguages: string[];
  specialty: string | null;
  urgency: 'standard' | 'urgent' | null;
  minGrade: Grade | null;
  summary: string | null;
  disagreement: boolean;
  cancelled: boolean;
}

/**
 * Records a verified professional's credentials; verification makes a pending professional active.
 *
 * @example
 * await upsertVerified(tx, { id, grade: 'G3', gradeRank: 3, specialties: ['cardiology'], languages: ['fr'], licenseCountry: 'FR' });
 */
export async function upsertVerified(
  tx: Tx,
  p: { id: string; grade: Grade; gradeRank: number; specialties: string[]; languages: string[]; licenseCountry: string },
): Promise<void> {
  await tx`
    insert into matching.professionals (id, status, verified, grade, grade_rank, specialties, languages, license_country)
    values (${p.id}, 'active', true, ${p.grade}, ${p.gradeRank}, ${p.specialties}::text[], ${p.languages}::text[], ${p.licenseCountry})
    on conflict (id) do update set
      verified = true, grade = excluded.grade, grade_rank = excluded.grade_rank, specialties = excluded.specialties,
      languages = excluded.languages, license_country = excluded.license_country, updated_at = now(),
      status = case when matching.professionals.status = 'pending_verification' then 'active' else matching.professionals.status end`;
}

/**
 * Sets a professional's status as identity reports it.
 *
 * @example
 * await setProfessionalStatus(tx, id, 'suspended');
 */
export async function setProfessionalStatus(tx: Tx, id: string, status: string): Promise<void> {
  await tx`
    insert into matching.professionals (id, status) values (${id}, ${status})
    on conflict (id) do update set status = excluded.status, updated_at = now()`;
}

/**
 * Notes that a person turned MFA on (a row for anyone; only verified professionals are ever offered anything).
 *
 * @example
 * await setMfa(tx, userId);
 */
export async function setMfa(tx: Tx, id: string): Promise<void> {
  await tx`
    insert into matching.professionals (id, mfa) values (${id}, true)
    on conflict (id) do update set mfa = true, updated_at = now()`;
}

/**
 * Records a patient's country and languages (from registration or a profile change).
 *
 * @example
 * await upsertPatient(tx, { id, country: 'BE', languages: ['fr'] });
 */
export async function upsertPatient(tx: Tx, p: { id: string; country: string | null; languages: string[] }): Promise<void> {
  await tx`
    insert into matching.patients (id, country, languages) values (${p.id}, ${p.country}, ${p.languages}::text[])
    on conflict (id) do update set country = excluded.country, languages = excluded.languages`;
}

/**
 * A patient's country and languages, if known.
 *
 * @example
 * const patient = await findPatient(tx, ownerId);
 */
export async function findPatient(sql: Db, id: string): Promise<{ country: string | null; languages: string[] } | undefined> {
  const [row] = await sql<{ country: string | null; languages: string[] }[]>`select country, languages from matching.patients where id = ${id}`;
  return row;
}

/**
 * Records what a submitted case says about its patient and price.
 *
 * @example
 * await upsertSubmittedCase(tx, { id, ownerId, preferredProfessionalId: null, patientCountry: 'FR', patientLanguages: ['fr'], priceAmount: 29000, priceCurrency: 'EUR' });
 */
export async function upsertSubmittedCase(
  tx: Tx,
  c: { id: string; ownerId: string; preferredProfessionalId: string | null; patientCountry: string | null; patientLanguages: string[]; priceAmount: number; priceCurrency: string },
): Promise<void> {
  await tx`
    insert into matching.cases (id, owner_id, preferred_professional_id, patient_country, patient_languages, price_amount, price_currency)
    values (${c.id}, ${c.ownerId}, ${c.preferredProfessionalId}, ${c.patientCountry}, ${c.patientLanguages}::text[], ${c.priceAmount}, ${c.priceCurrency})
    on conflict (id) do update set owner_id = excluded.owner_id, preferred_professional_id = excluded.preferred_professional_id,
      patient_country = excluded.patient_country, patient_languages = excluded.patient_languages,
      price_amount = excluded.price_amount, price_currency = excluded.price_currency`;
}

/**
 * Records a case's triage (what it needs) and returns the case as matching now sees it.
 *
 * @example
 * const view = await upsertTriagedCase(tx, { id, specialty: 'cardiology', urgency: 'urgent', minGrade: 'G2', summary, disagreement: false });
 */
export async function upsertTriagedCase(
  tx: Tx,
  c: { id: string; specialty: string; urgency: 'standard' | 'urgent'; minGrade: Grade; summary: string; disagreement: boolean },
): Promise<CaseView> {
  const [row] = await tx<CaseView[]>`
    insert into matching.cases (id, specialty, urgency, min_grade, summary, disagreement)
    values (${c.id}, ${c.specialty}, ${c.urgency}, ${c.minGrade}, ${c.summary}, ${c.disagreement})
    on conflict (id) do update set specialty = excluded.specialty, urgency = excluded.urgency, min_grade = excluded.min_grade,
      summary = excluded.summary, disagreement = excluded.disagreement
    returning *`;
  return row!;
}

/**
 * The case as matching sees it.
 *
 * @example
 * const view = await findCaseView(tx, caseId);
 */
export async function findCaseView(sql: Db, id: string): Promise<CaseView | undefined> {
  const [row] = await sql<CaseView[]>`select * from matching.cases where id = ${id}`;
  return row;
}

/**
 * Records a case's status (and whether it was cancelled).
 *
 * @example
 * await setCaseStatus(tx, caseId, 'cancelled');
 */
export async function setCaseStatus(tx: Tx, id: string, status: string): Promise<void> {
  const cancelled = status === 'cancelled' || status === 'refunded';
  await tx`
    insert into matching.cases (id, status, cancelled) values (${id}, ${status}, ${cancelled})
    on conflict (id) do update set status = excluded.status, cancelled = matching.cases.cancelled or excluded.cancelled`;
}

/**
 * Serialises the events of one case until the transaction ends. Triage, review requests and cancellations arrive
 * on separate consumers, possibly at once; each decides from rows the other writes (a review request reads the
 * case's cancelled flag, a cancellation locks the searches that exist), so without this a review search opened
 * beside a cancellation could miss it and stay open. Transaction-scoped, so safe through PgBouncer.
 *
 * @example
 * await lockCase(tx, caseId);
 */
export async function lockCase(tx: Tx, caseId: string): Promise<void> {
  await lockNamed(tx, `matching.case:${caseId}`);
}
