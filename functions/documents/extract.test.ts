import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { createCanvas } from '@napi-rs/canvas';
import { PDFDocument } from 'pdf-lib';
import { documentsDefaults } from './config.ts';
import { makeDicom } from './dicom-sample.ts';
import { DocumentFailure, extract } from './extract.ts';
import { closeOcr } from './ocr.ts';

after(closeOcr);

const options = { ...documentsDefaults, deidentificationSecret: new Uint8Array(32).fill(7) };

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DocumentFailure, `expected a DocumentFailure, got ${String(error)}`);
  return error.reason;
}

describe('extract', () => {
  it('OCRs at most maxOcrPages scanned pages of a PDF and counts the others as skipped', async () => {
    const blank = await readFile(new URL('./fixtures/blank.png', import.meta.url));
    const doc = await PDFDocument.create();
    const image = await doc.embedPng(blank);
    for (let i = 0; i < 3; i++) doc.addPage([200, 200]).drawImage(image, { x: 0, y: 0, width: 200, height: 200 });
    const result = await extract(await doc.save(), 'pdf', { ...options, maxOcrPages: 1 });
    assert.equal(result.pages, 3);
    assert.deepEqual(result.metadata, { scannedPages: 3, ocrPages: 1, ocrSkippedPages: 2 });
  });

  it('refuses an image above maxImagePixels before OCR, and a PNG whose header is cut', async () => {
    const png = createCanvas(400, 300).toBuffer('image/png');
    assert.equal(await failure(extract(png, 'png', { ...options, maxImagePixels: 400 * 300 - 1 })), 'too-large');
    assert.equal(await failure(extract(png.subarray(0, 12), 'png', options)), 'corrupt');
  });

  it('fails a DICOM file whose dataset is cut off as corrupt, and de-identifies a whole one', async () => {
    const dicom = makeDicom({ study: '1.2.3.1', series: '1.2.3.2', sop: '1.2.3.3', frameOfReference: '1.2.3.4' });
    assert.equal(await failure(extract(dicom.subarray(0, 140), 'dicom', options)), 'corrupt');
    const result = await extract(dicom, 'dicom', options);
    assert.equal(result.pages, 1);
    assert.ok(result.deidentified && result.deidentified.length > 132);
    assert.match(result.text, /^Modality: CT$/m);
    assert.match(result.text, /^Study date: 2024-06-11$/m);
  });

  it('reads plain text without its byte order mark', async () => {
    const result = await extract(new TextEncoder().encode('\ufeff  Blood pressure 128/82.  \n'), 'text', options);
    assert.deepEqual([result.pages, result.text], [1, 'Blood pressure 128/82.']);
  });
});
