import type { Specialty } from '../../../shared/auth/specialties.ts';
import type { Grade } from '../../../shared/auth/grades.ts';

// ICD-10 code ranges → the specialty that usually owns them; the first range containing the code wins, so the
// narrower ranges come before the chapters they sit in. A dictionary entry may override (dictionary/types.ts).
const RANGES: [from: string, to: string, specialty: Specialty][] = [
  ['A00', 'B99', 'infectious-diseases'],
  ['C00', 'D09', 'oncology'],
  ['D10', 'D36', 'oncology'],
  ['D37', 'D49', 'hematology'],
  ['D50', 'D89', 'hematology'],
  ['E86', 'E87', 'nephrology'],
  ['E00', 'E89', 'endocrinology'],
  ['F00', 'F99', 'psychiatry'],
  ['G00', 'G99', 'neurology'],
  ['H00', 'H59', 'ophthalmology'],
  ['H60', 'H95', 'otolaryngology'],
  ['I26', 'I28', 'pulmonology'],
  ['I60', 'I69', 'neurology'],
  ['I70', 'I89', 'vascular-surgery'],
  ['I00', 'I99', 'cardiology'],
  ['J00', 'J06', 'otolaryngology'],
  ['J30', 'J39', 'otolaryngology'],
  ['J00', 'J99', 'pulmonology'],
  ['K35', 'K46', 'general-surgery'],
  ['K00', 'K95', 'gastroenterology'],
  ['L00', 'L99', 'dermatology'],
  ['M00', 'M14', 'rheumatology'],
  ['M15', 'M25', 'orthopedics'],
  ['M30', 'M36', 'rheumatology'],
  ['M40', 'M54', 'orthopedics'],
  ['M60', 'M79', 'rheumatology'],
  ['M80', 'M99', 'orthopedics'],
  ['N00', 'N19', 'nephrology'],
  ['N20', 'N53', 'urology'],
  ['N60', 'N98', 'gynecology'],
  ['O00', 'O9A', 'gynecology'],
  ['P00', 'P96', 'pediatrics'],
  ['Q00', 'Q99', 'genetics'],
  ['R00', 'R99', 'internal-medicine'],
  ['S00', 'T88', 'orthopedics'],
  ['U00', 'U99', 'infectious-diseases'],
  ['Z00', 'Z99', 'internal-medicine'],
];

/**
 * The specialty an ICD-10 code belongs to by its chapter (or a narrower range).
 *
 * @example
 * specialtyOfCode('I48.91'); // 'cardiology'
 * specialtyOfCode('I63.9'); // 'neurology'
 */
export function specialtyOfCode(code: string): Specialty {
  const head = code.slice(0, 3).toUpperCase();
  for (const [from, to, specialty] of RANGES) if (head >= from && head <= to) return specialty;
  return 'internal-medicine';
}

/** Symptoms (R) and factors (Z) say less about who should read a case than diagnoses do. */
export const isSymptomCode = (code: string) => /^[RZ]/.test(code);

/** Malignant (C) or in-situ (D00–D09) neoplasms and myelodysplasia. */
export const isMalignantCode = (code: string) => /^C|^D0|^D46/.test(code);

/** What decides the minimum grade of the professional who should read a case. */
export interface Complexity {
  /** Distinct diagnosis codes found (affirmed or uncertain, the patient's own, not symptoms). */
  diagnoses: number;
  /** Distinct ICD-10 chapters (first letters) among them. */
  chapters: number;
  malignancy: boolean;
  redFlags: number;
}

/**
 * The minimum grade from a case's complexity: one simple problem is for a resident (G1); several problems, a
 * red flag or several organ systems need a specialist or consultant; cancer across several systems a professor.
 *
 * @example
 * minimumGrade({ diagnoses: 1, chapters: 1, malignancy: false, redFlags: 0 }); // 'G1'
 * minimumGrade({ diagnoses: 5, chapters: 3, malignancy: true, redFlags: 1 }); // 'G4'
 */
export function minimumGrade(c: Complexity): Grade {
  const score =
    (c.diagnoses >= 4 ? 2 : c.diagnoses >= 2 ? 1 : 0) + (c.chapters >= 3 ? 1 : 0) + (c.malignancy ? 2 : 0) + (c.redFlags > 0 ? 1 : 0);
  if (score >= 5) return 'G4';
  if (score >= 3) return 'G3';
  if (score >= 1) return 'G2';
  return 'G1';
}
