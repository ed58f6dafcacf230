/**
 * Professional grades, lowest first: the order matching uses for a case's minimum grade and payouts use for pay.
 *
 * - `G1` resident
 * - `G2` specialist
 * - `G3` consultant
 * - `G4` professor / head of department
 */
export const GRADES = ['G1', 'G2', 'G3', 'G4'] as const;

export type Grade = (typeof GRADES)[number];

/** What each grade stands for, for documentation and admin screens. */
export const GRADE_TITLES: Readonly<Record<Grade, string>> = {
  G1: 'resident',
  G2: 'specialist',
  G3: 'consultant',
  G4: 'professor / head of department',
};

/**
 * Whether `grade` is at least `minimum` on the ordered scale.
 *
 * @example
 * meetsGrade('G3', 'G2'); // true
 * meetsGrade('G1', 'G2'); // false
 */
export function meetsGrade(grade: Grade, minimum: Grade): boolean {
  return GRADES.indexOf(grade) >= GRADES.indexOf(minimum);
}

/**
 * Orders grades lowest first (an `Array.prototype.sort` comparator).
 *
 * @example
 * ['G3', 'G1'].sort(compareGrades); // ['G1', 'G3']
 */
export function compareGrades(a: Grade, b: Grade): number {
  return GRADES.indexOf(a) - GRADES.indexOf(b);
}
