import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { documentsDefaults } from './config.ts';
import { DocumentFailure } from './extract.ts';
import { extractInWorker, extractionWorkers } from './extract-worker.ts';
import { busyPdf } from './testing.ts';

const options = { ...documentsDefaults, deidentificationSecret: new Uint8Array(32).fill(7) };
const scan = () => readFile(new URL('./fixtures/scanned-report.png', import.meta.url));

/** The threads of this process (Linux): the extraction thread and the OCR engine's thread count here. */
async function threads(): Promise<number> {
  return (await readdir('/proc/self/task')).length;
}

async function pdfWith(pages: ('text' | 'scan')[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const image = await doc.embedPng(await scan());
  for (const content of pages) {
    const page = doc.addPage([595, 842]);
    if (content === 'text') page.drawText('Referral letter: persistent cough for three months.', { x: 50, y: 780, size: 12, font });
    else page.drawImage(image, { x: 40, y: 842 - 40 - (image.height / image.width) * 515, width: 515, height: (image.height / image.width) * 515 });
  }
  return doc.save();
}

async function failure(promise: Promise<unknown>): Promise<DocumentFailure> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DocumentFailure, `expected a DocumentFailure, got ${String(error)}`);
  return error;
}

describe('extractInWorker', () => {
  // Also the baseline for the thread counts below: it starts everything a process starts once (tsx, libuv's pool).
  it('reads a PDF, OCR of its scanned page included, in a thread that is gone once it answers', async () => {
    const result = await extractInWorker(await pdfWith(['text', 'scan']), 'pdf', options, { timeoutMs: 60_000 });
    assert.equal(result.pages, 2);
    assert.match(result.text, /persistent cough[\s\S]*cardiomegaly/);
    assert.deepEqual(result.metadata, { scannedPages: 1, ocrPages: 1, ocrSkippedPages: 0 });
    assert.equal(extractionWorkers(), 0);
  });

  it('brings back why a document cannot be read, with the name of what the reader threw', async () => {
    const corrupt = await failure(extractInWorker(new TextEncoder().encode('%PDF-1.7 and nothing else'), 'pdf', options, { timeoutMs: 60_000 }));
    assert.equal(corrupt.reason, 'corrupt');
    assert.equal((corrupt.cause as Error).name, 'InvalidPDFException');
    const png = new Uint8Array(await scan());
    assert.equal((await failure(extractInWorker(png, 'png', { ...options, maxImagePixels: 10 }, { timeoutMs: 60_000 }))).reason, 'too-large');
    assert.equal(extractionWorkers(), 0);
  });

  it('terminates a PDF that keeps pdf.js busy past the deadline and fails it timeout, leaving no thread behind', async () => {
    const before = await threads();
    const bytes = await busyPdf(8, 1_000_000); // ~ 13 s of pdf.js
    const started = performance.now();
    const error = await failure(extractInWorker(bytes, 'pdf', options, { timeoutMs: 1500 }));
    const elapsed = performance.now() - started;
    assert.equal(error.reason, 'timeout');
    assert.ok(elapsed >= 1500 && elapsed < 5000, `settled after ${Math.round(elapsed)} ms`);
    assert.equal(extractionWorkers(), 0);
    assert.ok((await threads()) <= before, 'the extraction thread is gone');
  });

  it('terminates a long OCR job past the deadline, the OCR engine`s own thread with it', async () => {
    const before = await threads();
    const bytes = await pdfWith(Array.from({ length: 10 }, () => 'scan' as const)); // ~ 1 s of OCR a page
    const error = await failure(extractInWorker(bytes, 'pdf', options, { timeoutMs: 2000 }));
    assert.equal(error.reason, 'timeout');
    assert.equal(extractionWorkers(), 0);
    assert.ok((await threads()) <= before, 'no extraction or OCR thread is left');
  });

  it('decodes plain text in place, without a thread', async () => {
    const result = await extractInWorker(new TextEncoder().encode(' Blood pressure 128/82. '), 'text', options, { timeoutMs: 0 });
    assert.equal(result.text, 'Blood pressure 128/82.');
  });
});
