import type { Grade } from '../../../shared/auth/grades.ts';
import type { Specialty } from '../../../shared/auth/specialties.ts';
import { contextOf } from './context.ts';
import { RED_FLAGS } from './dictionary/index.ts';
import { criticalLabFlags, readLabs } from './labs.ts';
import { detectSections, sectionAt, type SectionKind } from './sections.ts';
import { isMalignantCode, isSymptomCode, minimumGrade } from './specialty.ts';
import { tokenize } from './text.ts';
import { vocabulary } from './vocabulary.ts';

/** Where a finding is: the document and the character range [start, end) of its text. */
export interface Evidence {
  documentId: string;
  start: number;
  end: number;
}

export interface ConditionFinding {
  /** The words as written in the note. */
  text: string;
  icd10: string;
  name: string;
  negated: boolean;
  uncertain: boolean;
  /** Said to be in the past ("previous MI"): the patient's, but raises no red flag. */
  historical: boolean;
  section: SectionKind;
  specialty: Specialty;
  evidence: Evidence;
}

export interface MedicationFinding {
  text: string;
  name: string;
  atc: string;
  section: SectionKind;
  evidence: Evidence;
}

export interface LabFinding {
  name: string;
  value: number;
  unit: string | null;
  flag: 'high' | 'low' | 'normal' | null;
  evidence: Evidence;
}

/** What the built-in analyser finds in a case's records; stored with the triage and printed by `ops analyse`. */
export interface Analysis {
  conditions: ConditionFinding[];
  medications: MedicationFinding[];
  labs: LabFinding[];
  redFlags: string[];
  /** null when nothing points anywhere (the pipeline then keeps the patient's choice or internal medicine). */
  specialty: Specialty | null;
  urgency: 'standard' | 'urgent';
  minGrade: Grade;
}

/** A text to analyse and the document it came from. */
export interface SourceText {
  documentId: string;
  text: string;
}

// Findings here are not the patient's current problems: a relative's, an allergy list, a family history.
const NOT_THE_PATIENTS: ReadonlySet<SectionKind> = new Set(['family-history']);
const SECTION_WEIGHT: Partial<Record<SectionKind, number>> = { assessment: 2, complaint: 2, 'past-history': 0.5, 'review-of-systems': 0.5 };

/**
 * Runs the built-in analyser over one or more texts of a case: conditions (ICD-10, negated, uncertain), medications
 * (ATC), lab values, red flags, specialty, urgency and minimum grade. Offline, deterministic, fast (no I/O).
 *
 * @example
 * const a = analyse([{ documentId: 'd1', text: 'Assessment: atrial fibrillation. No chest pain. On apixaban.' }]);
 * a.specialty; // 'cardiology'
 * a.conditions.map((c) => [c.icd10, c.negated]); // [['I48.91', false], ['R07.9', true]]
 */
export function analyse(sources: readonly SourceText[]): Analysis {
  const { conditions: conditionMatcher, medications: medicationMatcher } = vocabulary();
  const conditions: ConditionFinding[] = [];
  const weights = new Map<Specialty, number>();
  const medications: MedicationFinding[] = [];
  const labs: LabFinding[] = [];
  for (const { documentId, text } of sources) {
    const tokens = tokenize(text);
    const sections = detectSections(text);
    const context = contextOf(tokens);
    const seen = new Set<string>();
    for (const m of conditionMatcher.find(tokens)) {
      const start = tokens[m.first]!.start;
      const end = tokens[m.last]!.end;
      const section = sectionAt(sections, start)?.kind ?? 'other';
      if (section === 'allergies' && !m.value.icd10.startsWith('T') && !m.value.icd10.startsWith('Z88')) continue;
      const ctx = context.at(m.first, m.last);
      if (ctx.family || NOT_THE_PATIENTS.has(section)) continue;
      // Every present mention weighs for the specialty (a diagnosis repeated in the assessment counts again).
      if (!ctx.negated) {
        const weight = (isSymptomCode(m.value.icd10) ? 0.5 : 1) * (SECTION_WEIGHT[section] ?? 1) * (ctx.uncertain ? 0.75 : 1);
        weights.set(m.value.specialty, (weights.get(m.value.specialty) ?? 0) + weight);
      }
      // One finding per code and status per document: repeated mentions add nothing but noise.
      const key = `${m.value.icd10}|${ctx.negated}|${ctx.uncertain}`;
      if (seen.has(key)) continue;
      seen.add(key);
      conditions.push({
        text: text.slice(start, end),
        icd10: m.value.icd10,
        name: m.value.name,
        negated: ctx.negated,
        uncertain: ctx.uncertain,
        historical: ctx.historical,
        section,
        specialty: m.value.specialty,
        evidence: { documentId, start, end },
      });
    }
    const seenMeds = new Set<string>();
    for (const m of medicationMatcher.find(tokens)) {
      const start = tokens[m.first]!.start;
      const end = tokens[m.last]!.end;
      const section = sectionAt(sections, start)?.kind ?? 'other';
      // An allergy to a drug is not a drug taken.
      if (section === 'allergies' || seenMeds.has(m.value.atc)) continue;
      if (context.at(m.first, m.last).family) continue;
      seenMeds.add(m.value.atc);
      medications.push({ text: text.slice(start, end), name: m.value.name, atc: m.value.atc, section, evidence: { documentId, start, end } });
    }
    for (const lab of readLabs(text, tokens)) {
      labs.push({ name: lab.name, value: lab.value, unit: lab.unit, flag: lab.flag, evidence: { documentId, start: lab.start, end: lab.end } });
    }
  }
  const redFlags = redFlagsOf(conditions, labs);
  const present = conditions.filter((c) => !c.negated);
  const diagnoses = new Set(present.filter((c) => !isSymptomCode(c.icd10)).map((c) => c.icd10));
  return {
    conditions,
    medications,
    labs,
    redFlags,
    specialty: specialtyOf(weights),
    urgency: redFlags.length > 0 ? 'urgent' : 'standard',
    minGrade: minimumGrade({
      diagnoses: diagnoses.size,
      chapters: new Set([...diagnoses].map((code) => code[0])).size,
      malignancy: [...diagnoses].some(isMalignantCode),
      redFlags: redFlags.length,
    }),
  };
}

/** Red flags of the findings that are present or suspected (never of negated ones), and of critical labs. */
function redFlagsOf(conditions: readonly ConditionFinding[], labs: readonly LabFinding[]): string[] {
  const flags = new Set<string>();
  for (const c of conditions) {
    if (c.negated || c.historical || c.section === 'past-history') continue;
    for (const rule of RED_FLAGS) if (rule.codes.some((prefix) => c.icd10.startsWith(prefix))) flags.add(rule.slug);
  }
  for (const flag of criticalLabFlags(labs.map((l) => ({ ...l, range: null, start: 0, end: 0 })))) flags.add(flag);
  return [...flags].sort();
}

/**
 * The specialty with the most weight among present mentions: diagnoses over symptoms, assessment over history.
 * Internal medicine (where symptoms land) only when nothing more specific is found.
 */
function specialtyOf(weights: ReadonlyMap<Specialty, number>): Specialty | null {
  let best: Specialty | null = null;
  let bestScore = 0;
  // Map order is first-seen order, so a tie goes to the specialty mentioned first.
  for (const [specialty, s] of weights) if (specialty !== 'internal-medicine' && s > bestScore) [best, bestScore] = [specialty, s];
  return best ?? (weights.has('internal-medicine') ? 'internal-medicine' : null);
}
