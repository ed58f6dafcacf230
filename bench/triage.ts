import { analyse } from '../functions/ai/analyser/analyse.ts';
import { loadCorpus, scoreCorpus } from '../functions/ai/analyser/corpus.ts';
import { scrub } from '../functions/ai/scrub.ts';
import { measured, type Row } from './support/report.ts';

export interface TriageBenchOptions {
  /** Seconds of analysing the corpus over and over, for the speed rows. */
  seconds: number;
}

export const triageDefaults: TriageBenchOptions = { seconds: 5 };

/**
 * The built-in analyser on the labelled corpus (functions/ai/fixtures/corpus): precision and recall of conditions,
 * medications and negation against their targets (≥ 0.9 precision, ≥ 0.8 recall; the "baseline" is 1, a perfect
 * score, so the ratio is the score itself), then notes analysed per second on one core (the analyser is
 * synchronous, so one thread is one core), alone and with the scrubber as the pipeline runs it before a provider.
 *
 * @example
 * const rows = await benchTriage({ seconds: 2 });
 */
export async function benchTriage(options: TriageBenchOptions = triageDefaults): Promise<Row[]> {
  const notes = await loadCorpus();
  const scores = scoreCorpus(notes, notes.map((n) => analyse([{ documentId: n.name, text: n.text }])));
  const rows: Row[] = [];
  for (const kind of ['conditions', 'medications', 'negation'] as const) {
    const s = scores[kind];
    const counts = `tp ${s.truePositives}, fp ${s.falsePositives}, fn ${s.falseNegatives} over ${notes.length} notes`;
    rows.push(measured(`triage ${kind} precision`, 'score', s.precision, 1, { op: '>=', value: 0.9 }, { note: counts }));
    rows.push(measured(`triage ${kind} recall`, 'score', s.recall, 1, { op: '>=', value: 0.8 }));
  }
  rows.push({ name: 'triage urgency accuracy', unit: 'score', ours: scores.urgencyAccuracy, status: 'INFO' });
  rows.push({ name: 'triage specialty accuracy', unit: 'score', ours: scores.specialtyAccuracy, status: 'INFO' });

  const rate = (work: (text: string) => unknown) => {
    for (const n of notes) work(n.text); // warm-up: dictionaries built, code compiled
    const started = performance.now();
    let done = 0;
    while (performance.now() - started < options.seconds * 1000) {
      for (const n of notes) work(n.text);
      done += notes.length;
    }
    return done / ((performance.now() - started) / 1000);
  };
  const plain = rate((text) => analyse([{ documentId: 'd', text }]));
  const withScrub = rate((text) => analyse([{ documentId: 'd', text: scrub(text).text }]));
  const chars = notes.reduce((sum, n) => sum + n.text.length, 0) / notes.length;
  rows.push({ name: 'triage notes analysed per second per core', unit: 'notes/s', ours: plain, status: 'INFO', note: `corpus notes of ${Math.round(chars)} characters on average` });
  rows.push({ name: 'triage notes scrubbed + analysed per second per core', unit: 'notes/s', ours: withScrub, status: 'INFO' });
  return rows;
}
