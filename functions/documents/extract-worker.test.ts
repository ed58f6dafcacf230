import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ExtractionRefused } from './admission.ts';
import { documentsDefaults } from './config.ts';
import { DocumentFailure } from './extract.ts';
import { closeExtractionWorkers, extractionPool, extractionWorkers, ExtractionPool } from './extract-worker.ts';
import { busyPdf } from './testing.ts';

const options = { ...documentsDefaults, deidentificationSecret: new Uint8Array(32).fill(7) };
const scan = () => readFile(new URL('./fixtures/scanned-report.png', import.meta.url));

/**
 * The threads of this process (Linux): the extraction thread and the OCR engine's thread count here. Not the canvas
 * addon's runtime (`tokio-rt-worker`): two threads of the process's once any thread has loaded the addon, which may
 * outlive a thread terminated mid-render — bounded, not one per document.
 */
async function threads(): Promise<number> {
  const tasks = await readdir('/proc/self/task');
  const names = await Promise.all(tasks.map((task) => readFile(`/proc/self/task/${task}/comm`, 'utf8').catch(() => '')));
  return names.filter((name) => !name.startsWith('tokio-rt-worker')).length;
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

after(closeExtractionWorkers);

describe('the process`s extraction pool', () => {
  // Also the baseline for the thread counts below: it starts everything a process starts once (tsx, libuv's pool).
  it('reads a PDF, OCR of its scanned page included, in a thread that stays for the next document', async () => {
    const result = await extractionPool().extract(await pdfWith(['text', 'scan']), 'pdf', options, { timeoutMs: 60_000 });
    assert.equal(result.pages, 2);
    assert.match(result.text, /persistent cough[\s\S]*cardiomegaly/);
    assert.deepEqual(result.metadata, { scannedPages: 1, ocrPages: 1, ocrSkippedPages: 0 });
    assert.equal(extractionWorkers(), 1);
  });

  it('brings back why a document cannot be read, with the name of what the reader threw', async () => {
    const corrupt = await failure(extractionPool().extract(new TextEncoder().encode('%PDF-1.7 and nothing else'), 'pdf', options, { timeoutMs: 60_000 }));
    assert.equal(corrupt.reason, 'corrupt');
    assert.equal((corrupt.cause as Error).name, 'InvalidPDFException');
    const png = new Uint8Array(await scan());
    assert.equal((await failure(extractionPool().extract(png, 'png', { ...options, maxImagePixels: 10 }, { timeoutMs: 60_000 }))).reason, 'too-large');
    assert.equal(extractionWorkers(), 1, 'the thread is kept between documents');
  });

  it('terminates a PDF that keeps pdf.js busy past the deadline and fails it timeout, leaving no thread behind', async () => {
    const before = await threads();
    const bytes = await busyPdf(8, 1_000_000); // ~ 13 s of pdf.js
    const started = performance.now();
    const error = await failure(extractionPool().extract(bytes, 'pdf', options, { timeoutMs: 1500 }));
    const elapsed = performance.now() - started;
    assert.equal(error.reason, 'timeout');
    assert.ok(elapsed >= 1500 && elapsed < 5000, `settled after ${Math.round(elapsed)} ms`);
    assert.equal(extractionWorkers(), 0);
    assert.ok((await threads()) <= before, 'the extraction thread is gone');
  });

  it('terminates a long OCR job past the deadline, the OCR engine`s own thread with it', async () => {
    const before = await threads();
    const bytes = await pdfWith(Array.from({ length: 10 }, () => 'scan' as const)); // ~ 1 s of OCR a page
    const error = await failure(extractionPool().extract(bytes, 'pdf', options, { timeoutMs: 2000 }));
    assert.equal(error.reason, 'timeout');
    assert.equal(extractionWorkers(), 0);
    assert.ok((await threads()) <= before, 'no extraction or OCR thread is left');
  });

  it('decodes plain text in place, without a thread', async () => {
    const result = await extractionPool().extract(new TextEncoder().encode(' Blood pressure 128/82. '), 'text', options, { timeoutMs: 0 });
    assert.equal(result.text, 'Blood pressure 128/82.');
  });
});

describe('ExtractionPool', () => {
  const letter = () => pdfWith(['text']);

  it('reads documents one after another in the one thread it started', async () => {
    const pool = new ExtractionPool({ threads: 1 });
    try {
      assert.equal((await pool.extract(await pdfWith(['scan']), 'pdf', options, { timeoutMs: 60_000 })).metadata.ocrPages, 1);
      assert.match((await pool.extract(new Uint8Array(await scan()), 'png', options, { timeoutMs: 60_000 })).text, /cardiomegaly/);
      assert.equal((await failure(pool.extract(new TextEncoder().encode('%PDF-1.7'), 'pdf', options, { timeoutMs: 60_000 }))).reason, 'corrupt');
      assert.deepEqual(pool.stats(), { threads: 1, busy: 0, queued: 0, queuedBytes: 0, started: 1, refused: 0 });
    } finally {
      await pool.close();
    }
  });

  it('replaces a thread past its deadline, and reads the document queued behind it in the new one', async () => {
    const pool = new ExtractionPool({ threads: 1 });
    try {
      const hostile = failure(pool.extract(await busyPdf(8, 1_000_000), 'pdf', options, { timeoutMs: 1500 }));
      const waiting = await letter();
      const next = pool.extract(waiting, 'pdf', options, { timeoutMs: 60_000 });
      assert.deepEqual(pool.stats(), { threads: 1, busy: 1, queued: 1, queuedBytes: waiting.length, started: 1, refused: 0 });
      assert.equal((await hostile).reason, 'timeout');
      assert.match((await next).text, /persistent cough/);
      assert.match((await pool.extract(await letter(), 'pdf', options, { timeoutMs: 60_000 })).text, /persistent cough/);
      assert.deepEqual(pool.stats(), { threads: 1, busy: 0, queued: 0, queuedBytes: 0, started: 2, refused: 0 });
    } finally {
      await pool.close();
    }
  });

  it('queues concurrent documents rather than start more threads than its size', async () => {
    const pool = new ExtractionPool({ threads: 2 });
    try {
      const bytes = await letter();
      const reads = Array.from({ length: 5 }, () => pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000 }));
      assert.deepEqual(pool.stats(), { threads: 2, busy: 2, queued: 3, queuedBytes: 3 * bytes.length, started: 2, refused: 0 });
      for (const result of await Promise.all(reads)) assert.match(result.text, /persistent cough/);
      assert.deepEqual(pool.stats(), { threads: 2, busy: 0, queued: 0, queuedBytes: 0, started: 2, refused: 0 });
    } finally {
      await pool.close();
    }
  });

  it('fails what it holds as a fault of the replica on close, and leaves no thread', async () => {
    const before = await threads();
    const pool = new ExtractionPool({ threads: 1 });
    const busy = pool.extract(await busyPdf(8, 1_000_000), 'pdf', options, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    const queued = pool.extract(await letter(), 'pdf', options, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await pool.close();
    for (const error of await Promise.all([busy, queued])) {
      assert.ok(error instanceof Error && !(error instanceof DocumentFailure), `expected a fault, got ${String(error)}`);
    }
    assert.equal(pool.stats().threads, 0);
    assert.ok((await threads()) <= before, 'the thread is gone');
  });

  it('replaces a thread after it has read its share of documents, and reads on in the new one', async () => {
    const pool = new ExtractionPool({ threads: 1, documentsPerThread: 2 });
    try {
      for (let i = 0; i < 3; i++) assert.match((await pool.extract(new Uint8Array(await scan()), 'png', options, { timeoutMs: 60_000 })).text, /cardiomegaly/);
      assert.equal(pool.stats().started, 2, 'two documents in the first thread, the third in its replacement');
    } finally {
      await pool.close();
    }
    assert.throws(() => new ExtractionPool({ threads: 1, documentsPerThread: 0 }), RangeError);
  });

  it('refuses a size that is not a whole number of threads, or a queue bound that is not a whole number ≥ 0', () => {
    assert.throws(() => new ExtractionPool({ threads: 0 }), RangeError);
    assert.throws(() => new ExtractionPool({ threads: 1.5 }), RangeError);
    assert.throws(() => new ExtractionPool({ threads: 1, queuePerThread: -1 }), RangeError);
    assert.throws(() => new ExtractionPool({ threads: 1, queueBytes: 0.5 }), RangeError);
  });

  it('holds at most threads × (1 + queuePerThread) documents, refuses more, and takes the refused one once a place is free', async () => {
    const pool = new ExtractionPool({ threads: 1, queuePerThread: 1 });
    try {
      const bytes = await letter();
      const first = pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000, admission: pool.admit(bytes.length) });
      const second = pool.admit(bytes.length); // its bytes being read: it waits from now
      assert.deepEqual(pool.stats(), { threads: 1, busy: 1, queued: 1, queuedBytes: bytes.length, started: 1, refused: 0 });
      assert.throws(() => pool.admit(bytes.length), (e: unknown) => e instanceof ExtractionRefused && e.reason === 'documents');
      await assert.rejects(pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000 }), ExtractionRefused);
      assert.equal(pool.stats().refused, 2);
      assert.equal((await pool.extract(new TextEncoder().encode('a note'), 'text', options, { timeoutMs: 0 })).text, 'a note', 'text needs no place');

      assert.match((await first).text, /persistent cough/);
      const third = pool.admit(bytes.length); // the place the first gave back
      const reads = [pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000, admission: second }), pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000, admission: third })];
      for (const result of await Promise.all(reads)) assert.match(result.text, /persistent cough/);
      assert.deepEqual(pool.stats(), { threads: 1, busy: 0, queued: 0, queuedBytes: 0, started: 1, refused: 2 });
    } finally {
      await pool.close();
    }
  });

  it('bounds the bytes waiting for a thread, not those a thread holds; one document of any size when none waits', async () => {
    const bytes = await letter();
    const pool = new ExtractionPool({ threads: 1, queuePerThread: 10, queueBytes: 2 * bytes.length });
    try {
      const reads = [0, 1, 2].map(() => pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000 })); // one read, two waiting
      await assert.rejects(pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000 }), (e: unknown) => e instanceof ExtractionRefused && e.reason === 'bytes');
      assert.deepEqual(pool.stats(), { threads: 1, busy: 1, queued: 2, queuedBytes: 2 * bytes.length, started: 1, refused: 1 });
      for (const result of await Promise.all(reads)) assert.match(result.text, /persistent cough/);
      pool.admit(10 * bytes.length).release();
      assert.equal(pool.stats().refused, 1);
    } finally {
      await pool.close();
    }
  });

  it('gives back the places of what it fails on close', async () => {
    const pool = new ExtractionPool({ threads: 1, queuePerThread: 0 });
    const busy = pool.extract(await busyPdf(1, 1_000_000), 'pdf', options, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await pool.close();
    assert.ok((await busy) instanceof Error);
    pool.admit(1).release();
    assert.equal(pool.stats().refused, 0);
  });

  it('lets the process exit with an idle thread, unclosed', async () => {
    const module = JSON.stringify(new URL('./extract-worker.ts', import.meta.url).href);
    const script = `
      const { extractionPool } = await import(${module});
      const bytes = new TextEncoder().encode('%PDF-1.7');
      const options = { maxPages: 1, maxOcrPages: 1, maxImagePixels: 1, deidentificationSecret: new Uint8Array(32) };
      await extractionPool().extract(bytes, 'pdf', options, { timeoutMs: 60_000 }).catch((e) => console.log(e.reason));`;
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    assert.equal((await run).stdout.trim(), 'corrupt');
  });
});
