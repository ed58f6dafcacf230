import { LABS, synonymsOf } from './dictionary/index.ts';
import { PhraseMatcher } from './matcher.ts';
import type { Token } from './text.ts';

/** A laboratory value read from a note; flag is set only where the note gives a range (or marks it H/L). */
export interface LabValue {
  name: string;
  value: number;
  unit: string | null;
  flag: 'high' | 'low' | 'normal' | null;
  /** The reference range as the note gives it, when it does. */
  range: { low?: number; high?: number } | null;
  start: number;
  end: number;
}

const matcher = new PhraseMatcher<string>();
for (const [name, synonyms] of LABS) for (const phrase of [name, ...synonymsOf(synonyms)]) matcher.add(phrase, name);

const NUM = String.raw`(\d+(?:\.\d+)?)`;
const UNIT = String.raw`(mmol\/mol|mmol\/L|mg\/dL|g\/dL|g\/L|[µu]mol\/L|nmol\/L|pmol\/L|mIU\/L|[mµu]?IU\/mL|IU\/L|U\/L|ng\/mL|ng\/L|pg\/mL|[µu]g\/L|mg\/L|mEq\/L|mL\/min(?:\/1\.73\s?m2)?|x\s?10\^?9\/L|×\s?10\^?9\/L|10\^9\/L|\/[µu]L|cells\/[µu]L|mm\/h(?:r)?|fL|%|sec|s)(?![A-Za-z])`;
const VALUE = new RegExp(
  String.raw`^\s*(?:level|levels|count|value)?\s*(?:[:=]|\bwas\b|\bis\b|\bof\b|\bat\b)?\s*[<>]?\s*${NUM}\s*${UNIT}?` +
    String.raw`(?:\s*\(?\s*(H|L|high|low)\s*\)?(?![A-Za-z]))?` +
    String.raw`(?:\s*[(\[]\s*(?:ref(?:erence)?\.?(?:\s*range)?|normal(?:\s*range)?|nr|rr|range)?\s*[:=]?\s*(?:${NUM}\s*(?:-|–|to)\s*${NUM}|(<=?|>=?|≤|≥)\s*${NUM})\s*(?:${UNIT})?\s*[)\]])?`,
  'i',
);

/**
 * Reads every lab value a note states: the test's name (dictionary), a number, a unit when given, and a flag
 * from the reference range the note gives next to it ("Potassium 5.9 mmol/L (ref 3.5-5.0)" → high).
 *
 * @example
 * readLabs(text, tokenize(text)); // [{ name: 'potassium', value: 5.9, unit: 'mmol/L', flag: 'high', … }]
 */
export function readLabs(text: string, tokens: readonly Token[]): LabValue[] {
  const labs: LabValue[] = [];
  for (const match of matcher.find(tokens)) {
    const start = tokens[match.first]!.start;
    const nameEnd = tokens[match.last]!.end;
    const m = VALUE.exec(text.slice(nameEnd, nameEnd + 120));
    if (!m) continue;
    const value = Number(m[1]);
    const unit = m[2] ?? null;
    const range = rangeOf(m);
    labs.push({ name: match.value, value, unit, range, flag: flagOf(value, range, m[3]), start, end: nameEnd + m[0].length });
  }
  return labs;
}

function rangeOf(m: RegExpExecArray): LabValue['range'] {
  if (m[4] !== undefined && m[5] !== undefined) return { low: Number(m[4]), high: Number(m[5]) };
  if (m[6] !== undefined && m[7] !== undefined) return m[6].startsWith('<') || m[6] === '≤' ? { high: Number(m[7]) } : { low: Number(m[7]) };
  return null;
}

function flagOf(value: number, range: LabValue['range'], marker: string | undefined): LabValue['flag'] {
  if (range) {
    if (range.high !== undefined && value > range.high) return 'high';
    if (range.low !== undefined && value < range.low) return 'low';
    return 'normal';
  }
  if (marker) return /^h/i.test(marker) ? 'high' : 'low';
  return null;
}

/**
 * Red flags from lab values: a raised troponin, or a potassium, sodium or haemoglobin in the critical range.
 *
 * @example
 * criticalLabFlags([{ name: 'troponin', flag: 'high', … }]); // ['elevated-troponin']
 */
export function criticalLabFlags(labs: readonly LabValue[]): string[] {
  const flags = new Set<string>();
  for (const lab of labs) {
    if (lab.name === 'troponin' && lab.flag === 'high') flags.add('elevated-troponin');
    if (lab.name === 'potassium' && lab.value >= 6.5 && lab.value < 15) flags.add('critical-potassium');
    if (lab.name === 'sodium' && lab.value < 120 && lab.value > 80) flags.add('critical-sodium');
    const hbGdl = lab.unit?.toLowerCase() === 'g/l' || lab.value > 25 ? lab.value / 10 : lab.value;
    if (lab.name === 'hemoglobin' && hbGdl < 7) flags.add('severe-anemia');
  }
  return [...flags];
}
