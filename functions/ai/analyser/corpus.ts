import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Analysis } from './analyse.ts';

/** The hand-labelled expectations of one corpus note (fixtures/corpus/NAME.expected.json). */
export interface Expected {
  conditions: { icd10: string; negated: boolean; uncertain: boolean }[];
  medications: { atc: string }[];
  specialty: string;
  urgency: 'standard' | 'urgent';
}

export interface CorpusNote {
  name: string;
  text: string;
  expected: Expected;
}

/** The corpus folder shipped with the function. */
export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));

/**
 * Reads every `*.txt` note of the corpus with its `*.expected.json`.
 *
 * @example
 * const notes = await loadCorpus(); // 33 notes
 */
export async function loadCorpus(dir = CORPUS_DIR): Promise<CorpusNote[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.txt')).sort();
  return Promise.all(
    names.map(async (file) => {
      const name = file.slice(0, -4);
      const [text, expected] = await Promise.all([readFile(join(dir, file), 'utf8'), readFile(join(dir, `${name}.expected.json`), 'utf8')]);
      return { name, text, expected: JSON.parse(expected) as Expected };
    }),
  );
}

/** Precision and recall of one kind of finding over the corpus (micro-averaged: every item counts once). */
export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** The corpus scores: conditions by ICD-10 code, medications by ATC code, negation by negated code. */
export interface CorpusScores {
  conditions: Score;
  medications: Score;
  negation: Score;
  uncertainty: Score;
  urgencyAccuracy: number;
  specialtyAccuracy: number;
  /** Per note, what was missed (-) and what was wrongly found (+): for reading a failure. */
  errors: { note: string; kind: string; missed: string[]; extra: string[] }[];
}

class Tally {
  tp = 0;
  fp = 0;
  fn = 0;
  add(expected: Set<string>, found: Set<string>): { missed: string[]; extra: string[] } {
    const missed = [...expected].filter((x) => !found.has(x));
    const extra = [...found].filter((x) => !expected.has(x));
    this.tp += expected.size - missed.length;
    this.fn += missed.length;
    this.fp += extra.length;
    return { missed, extra };
  }
  score(): Score {
    return {
      truePositives: this.tp,
      falsePositives: this.fp,
      falseNegatives: this.fn,
      precision: this.tp + this.fp === 0 ? 1 : this.tp / (this.tp + this.fp),
      recall: this.tp + this.fn === 0 ? 1 : this.tp / (this.tp + this.fn),
    };
  }
}

/**
 * Scores analyses against the corpus labels.
 *
 * @example
 * const notes = await loadCorpus();
 * const s = scoreCorpus(notes, notes.map((n) => analyse([{ documentId: n.name, text: n.text }])));
 * s.conditions.precision >= 0.9;
 */
export function scoreCorpus(notes: readonly CorpusNote[], analyses: readonly Analysis[]): CorpusScores {
  const tallies = { conditions: new Tally(), medications: new Tally(), negation: new Tally(), uncertainty: new Tally() };
  const errors: CorpusScores['errors'] = [];
  let urgencyRight = 0;
  let specialtyRight = 0;
  notes.forEach((note, i) => {
    const a = analyses[i]!;
    const e = note.expected;
    const pairs: [keyof typeof tallies, Set<string>, Set<string>][] = [
      ['conditions', new Set(e.conditions.map((c) => c.icd10)), new Set(a.conditions.map((c) => c.icd10))],
      ['medications', new Set(e.medications.map((m) => m.atc)), new Set(a.medications.map((m) => m.atc))],
      ['negation', new Set(e.conditions.filter((c) => c.negated).map((c) => c.icd10)), new Set(a.conditions.filter((c) => c.negated).map((c) => c.icd10))],
      ['uncertainty', new Set(e.conditions.filter((c) => c.uncertain).map((c) => c.icd10)), new Set(a.conditions.filter((c) => c.uncertain).map((c) => c.icd10))],
    ];
    for (const [kind, expected, found] of pairs) {
      const { missed, extra } = tallies[kind].add(expected, found);
      if (missed.length || extra.length) errors.push({ note: note.name, kind, missed, extra });
    }
    if (a.urgency === e.urgency) urgencyRight++;
    if (a.specialty === e.specialty) specialtyRight++;
  });
  return {
    conditions: tallies.conditions.score(),
    medications: tallies.medications.score(),
    negation: tallies.negation.score(),
    uncertainty: tallies.uncertainty.score(),
    urgencyAccuracy: urgencyRight / notes.length,
    specialtyAccuracy: specialtyRight / notes.length,
    errors,
  };
}
