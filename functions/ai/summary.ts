import type { Analysis } from './analyser/analyse.ts';
import { scrub } from './scrub.ts';

/** The longest summary case.triaged.v1 carries. */
export const MAX_SUMMARY = 4000;

const list = (items: string[]) => [...new Set(items)].join(', ');

/**
 * The de-identified summary of the built-in analysis: dictionary names and codes only (never the note's own words),
 * run through the scrubber anyway so nothing identifying can reach professionals.
 *
 * @example
 * builtInSummary(analysis, 2); // 'Built-in pre-analysis of 2 record(s). Findings: atrial fibrillation (I48.91). …'
 */
export function builtInSummary(a: Analysis, records: number): string {
  const present = a.conditions.filter((c) => !c.negated && !c.uncertain);
  const suspected = a.conditions.filter((c) => c.uncertain);
  const absent = a.conditions.filter((c) => c.negated);
  const abnormal = a.labs.filter((l) => l.flag === 'high' || l.flag === 'low');
  const parts = [
    `Built-in pre-analysis of ${records} record(s).`,
    present.length ? `Findings: ${list(present.map((c) => `${c.name} (${c.icd10})`))}.` : 'No condition recognised.',
    suspected.length ? `Suspected: ${list(suspected.map((c) => `${c.name} (${c.icd10})`))}.` : '',
    absent.length ? `Denied or ruled out: ${list(absent.map((c) => c.name))}.` : '',
    a.medications.length ? `Medications: ${list(a.medications.map((m) => `${m.name} (${m.atc})`))}.` : '',
    abnormal.length ? `Abnormal results: ${list(abnormal.map((l) => `${l.name} ${l.value}${l.unit ? ` ${l.unit}` : ''} (${l.flag})`))}.` : '',
    a.redFlags.length ? `Red flags: ${a.redFlags.join(', ')}.` : '',
  ];
  return deidentified(parts.filter(Boolean).join(' '));
}

/**
 * A provider's summary made safe to show: scrubbed (a model may echo what it was given) and cut to size.
 *
 * @example
 * deidentified('Mr [NAME] has AF.'); // 'Mr [NAME] has AF.'
 */
export function deidentified(summary: string): string {
  const text = scrub(summary).text;
  return text.length <= MAX_SUMMARY ? text : `${text.slice(0, MAX_SUMMARY - 1)}…`;
}

export const NO_TEXT_SUMMARY = 'No readable text in the records; triaged from the patient\'s request only.';
