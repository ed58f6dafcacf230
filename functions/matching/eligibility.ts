import { GRADES, type Grade } from '../../shared/auth/grades.ts';

/** Who may be offered a case: the rules as a pure function. queries.ts `candidates` is the same rules in SQL. */

/** Matching's view of a professional (built from identity's events and matching's own counters). */
export interface ProfessionalFacts {
  id: string;
  status: 'pending_verification' | 'active' | 'suspended' | 'paused';
  verified: boolean;
  mfa: boolean;
  /** Paused by matching after offers expired in a row, until they resume. */
  pausedInMatching: boolean;
  grade: Grade | null;
  specialties: readonly string[];
  /** Primary language subtags, lower case (see {@link primaryLanguages}). */
  languages: readonly string[];
  licenseCountry: string | null;
  activeCases: number;
}

/** What the case asks for; null country or empty languages mean "not known", which does not exclude anyone. */
export interface CaseNeeds {
  ownerId: string;
  specialties: readonly string[];
  minGrade: Grade;
  /** Exactly this grade band, e.g. tier 3's one grade lower; default: minGrade and above. */
  exactGrade?: Grade;
  patientCountry: string | null;
  patientLanguages: readonly string[];
  /** Declined or lost this case before, or already offered it in this round. */
  excluded: ReadonlySet<string>;
  activeCaseCap: number;
}

export type Ineligibility =
  | 'not-active'
  | 'not-verified'
  | 'no-mfa'
  | 'paused'
  | 'specialty'
  | 'grade'
  | 'license-country'
  | 'language'
  | 'at-capacity'
  | 'is-patient'
  | 'excluded';

/**
 * The primary subtags of BCP 47 tags, lower case and unique: 'fr-BE' and 'fr' both read 'fr'.
 *
 * @example
 * primaryLanguages(['fr-BE', 'EN', 'en-GB']); // ['fr', 'en']
 */
export function primaryLanguages(tags: readonly (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const tag of tags) {
    const primary = tag?.trim().split(/[-_]/)[0]?.toLowerCase();
    if (primary) out.add(primary);
  }
  return [...out];
}

/**
 * The rank of a grade on the ordered scale (G1 = 1 … G4 = 4).
 *
 * @example
 * gradeRank('G3'); // 3
 */
export function gradeRank(grade: Grade): number {
  return GRADES.indexOf(grade) + 1;
}

/**
 * Why `pro` may not be offered the case, or null when they may. The first failing rule is reported.
 *
 * @example
 * ineligibility(pro, { ownerId, specialties: ['cardiology'], minGrade: 'G2', patientCountry: 'FR', patientLanguages: ['fr'], excluded: new Set(), activeCaseCap: 5 });
 */
export function ineligibility(pro: ProfessionalFacts, needs: CaseNeeds): Ineligibility | null {
  if (pro.id === needs.ownerId) return 'is-patient';
  if (!pro.verified || pro.grade === null) return 'not-verified';
  if (pro.status !== 'active') return pro.status === 'paused' ? 'paused' : 'not-active';
  if (!pro.mfa) return 'no-mfa';
  if (pro.pausedInMatching) return 'paused';
  if (!pro.specialties.some((s) => needs.specialties.includes(s))) return 'specialty';
  const rank = gradeRank(pro.grade);
  if (needs.exactGrade ? rank !== gradeRank(needs.exactGrade) : rank < gradeRank(needs.minGrade)) return 'grade';
  if (needs.patientCountry !== null && pro.licenseCountry !== needs.patientCountry) return 'license-country';
  const patient = primaryLanguages(needs.patientLanguages);
  if (patient.length > 0 && !primaryLanguages(pro.languages).some((l) => patient.includes(l))) return 'language';
  if (pro.activeCases >= needs.activeCaseCap) return 'at-capacity';
  if (needs.excluded.has(pro.id)) return 'excluded';
  return null;
}
