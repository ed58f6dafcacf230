import { readFile } from 'node:fs/promises';
import { analyse, type Analysis } from './analyser/analyse.ts';

/** One line of `npm run ops -- analyse`: the file and what the built-in analyser found in it. */
export type FileAnalysis = { file: string } & Analysis;

/**
 * Runs the built-in analyser on a text or PDF file (PDF text through functions/documents/pdf-text.ts); the result
 * is the analysis the triage pipeline stores, with the file as each finding's document.
 *
 * @example
 * const result = await analyseFile('referral.pdf');
 * result.conditions.map((c) => c.icd10);
 */
export async function analyseFile(file: string): Promise<FileAnalysis> {
  const bytes = new Uint8Array(await readFile(file));
  const isPdf = Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
  let text: string;
  if (isPdf) {
    // Loaded only for PDFs: pdf.js is heavy and plain-text runs should not pay for it.
    const { extractPdfText } = await import('../documents/pdf-text.ts');
    text = (await extractPdfText(bytes)).text;
  } else {
    text = new TextDecoder('utf-8').decode(bytes);
  }
  return { file, ...analyse([{ documentId: file, text }]) };
}

/**
 * `npm run ops -- analyse FILE...`: prints one JSON object per file, in order; a file that cannot be read prints
 * `{file, error}` and the others still run. Returns how many failed.
 *
 * @example
 * const failures = await analyseFiles(['a.txt', 'b.pdf'], (line) => console.log(line));
 */
export async function analyseFiles(files: readonly string[], write: (line: string) => void = (l) => console.log(l)): Promise<number> {
  let failures = 0;
  for (const file of files) {
    try {
      write(JSON.stringify(await analyseFile(file)));
    } catch (error) {
      failures++;
      write(JSON.stringify({ file, error: (error as Error).message }));
    }
  }
  return failures;
}
