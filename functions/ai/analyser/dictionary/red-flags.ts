/**
 * Red flags: findings that make a case urgent. Each has a stable slug (what case.triaged.v1 carries — a code, never
 * text) and the ICD-10 code prefixes that raise it when found affirmed or uncertain ("possible PE" is still urgent);
 * a negated finding never raises one. Lab thresholds are in ../labs.ts (criticalLabFlags).
 */
export interface RedFlagRule {
  slug: string;
  /** ICD-10 code prefixes: 'C' covers every malignant neoplasm, 'I21' every acute MI. */
  codes: readonly string[];
}

export const RED_FLAGS: readonly RedFlagRule[] = [
  { slug: 'chest-pain', codes: ['R07.9', 'I20.0'] },
  { slug: 'acute-coronary-syndrome', codes: ['I21', 'I24'] },
  { slug: 'pulmonary-embolism', codes: ['I26'] },
  { slug: 'aortic-dissection', codes: ['I71.0'] },
  { slug: 'stroke', codes: ['I60', 'I61', 'I63', 'G45'] },
  { slug: 'sepsis', codes: ['A41'] },
  { slug: 'meningitis', codes: ['G03', 'G04'] },
  { slug: 'cauda-equina', codes: ['G83.4', 'G95.2'] },
  { slug: 'suicide-risk', codes: ['R45.851', 'R45.88', 'T39.1'] },
  { slug: 'gi-bleeding', codes: ['K92', 'K62.5', 'R04.2'] },
  { slug: 'syncope', codes: ['R55', 'R40.2', 'I44.2', 'I47.2'] },
  { slug: 'unexplained-weight-loss', codes: ['R63.4'] },
  { slug: 'suspected-malignancy', codes: ['C', 'D05', 'D46', 'N63.0', 'R92.8'] },
  { slug: 'sudden-vision-loss', codes: ['H54.7', 'H33.2', 'H34', 'H40.2'] },
  { slug: 'anaphylaxis', codes: ['T78.2', 'T78.3'] },
  { slug: 'diabetic-ketoacidosis', codes: ['E11.10'] },
  { slug: 'acute-kidney-injury', codes: ['N17'] },
  { slug: 'ectopic-pregnancy', codes: ['O00'] },
  { slug: 'pre-eclampsia', codes: ['O14'] },
  { slug: 'testicular-torsion', codes: ['N44.0'] },
  { slug: 'respiratory-failure', codes: ['J96.0', 'J81.0'] },
];
