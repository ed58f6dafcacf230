import { BLOOD, CIRCULATORY, ENDOCRINE, RESPIRATORY } from './conditions-circulatory-respiratory.ts';
import { DIGESTIVE, EYE_EAR, GENITOURINARY, MENTAL, NERVOUS } from './conditions-neuro-digestive.ts';
import { INFECTIONS, INJURY_ALLERGY, MUSCULOSKELETAL, NEOPLASMS, PREGNANCY_CONGENITAL, SKIN, SYMPTOMS } from './conditions-other.ts';
import type { ConditionRow } from './types.ts';

export { LABS } from './labs.ts';
export { MEDICATIONS } from './medications.ts';
export { RED_FLAGS, type RedFlagRule } from './red-flags.ts';
export { synonymsOf, type ConditionRow, type LabRow, type MedicationRow } from './types.ts';

/**
 * Every condition the built-in analyser knows, by chapter. Order matters only for identical synonyms (the first
 * wins), which dictionary.test.ts forbids.
 *
 * @example
 * CONDITIONS.find(([code]) => code === 'I10')?.[1]; // 'hypertension'
 */
export const CONDITIONS: readonly ConditionRow[] = [
  ...CIRCULATORY,
  ...RESPIRATORY,
  ...ENDOCRINE,
  ...BLOOD,
  ...NERVOUS,
  ...MENTAL,
  ...DIGESTIVE,
  ...GENITOURINARY,
  ...EYE_EAR,
  ...INFECTIONS,
  ...NEOPLASMS,
  ...SKIN,
  ...MUSCULOSKELETAL,
  ...PREGNANCY_CONGENITAL,
  ...SYMPTOMS,
  ...INJURY_ALLERGY,
];
