import type { Specialty } from '../../../../shared/auth/specialties.ts';

/**
 * One condition of the dictionary, as compact data: `[icd10, preferred name, synonyms joined by '|', specialty?]`.
 * A synonym written in capitals (`HTN`, `COPD`) only matches capitals in the text, so abbreviations do not fire on
 * ordinary words. The specialty overrides the one derived from the code's chapter (see ../specialty.ts).
 *
 * @example
 * const row: ConditionRow = ['I10', 'hypertension', 'high blood pressure|HTN|essential hypertension'];
 */
export type ConditionRow = readonly [icd10: string, name: string, synonyms?: string, specialty?: Specialty];

/**
 * One medication: `[generic name, ATC code (level 5), brand names and synonyms joined by '|']`.
 *
 * @example
 * const row: MedicationRow = ['metformin', 'A10BA02', 'glucophage'];
 */
export type MedicationRow = readonly [name: string, atc: string, synonyms?: string];

/**
 * One laboratory test: `[canonical name, synonyms joined by '|']`; the value and unit are read from the text.
 *
 * @example
 * const row: LabRow = ['hemoglobin', 'haemoglobin|Hb|Hgb'];
 */
export type LabRow = readonly [name: string, synonyms: string];

/** Splits a `|`-joined synonym list, dropping empties. */
export function synonymsOf(joined: string | undefined): string[] {
  return (joined ?? '').split('|').map((s) => s.trim()).filter(Boolean);
}
