import type { Specialty } from '../../../shared/auth/specialties.ts';
import { CONDITIONS, MEDICATIONS, synonymsOf } from './dictionary/index.ts';
import { PhraseMatcher } from './matcher.ts';
import { specialtyOfCode } from './specialty.ts';

/** A dictionary condition as the analyser uses it. */
export interface ConditionTerm {
  icd10: string;
  name: string;
  specialty: Specialty;
}

/** A dictionary medication as the analyser uses it. */
export interface MedicationTerm {
  name: string;
  atc: string;
}

let built: { conditions: PhraseMatcher<ConditionTerm>; medications: PhraseMatcher<MedicationTerm> } | undefined;

/**
 * The phrase matchers of the dictionaries, built once per process on first use (a few milliseconds).
 *
 * @example
 * vocabulary().conditions.find(tokenize('Known AF.')); // [{ value: { icd10: 'I48.91', … }, … }]
 */
export function vocabulary() {
  if (built) return built;
  const conditions = new PhraseMatcher<ConditionTerm>();
  for (const [icd10, name, synonyms, specialty] of CONDITIONS) {
    const term = { icd10, name, specialty: specialty ?? specialtyOfCode(icd10) };
    for (const phrase of [name, ...synonymsOf(synonyms)]) conditions.add(phrase, term);
  }
  const medications = new PhraseMatcher<MedicationTerm>();
  for (const [name, atc, synonyms] of MEDICATIONS) {
    for (const phrase of [name, ...synonymsOf(synonyms)]) medications.add(phrase, { name, atc });
  }
  built = { conditions, medications };
  return built;
}
