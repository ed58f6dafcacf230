import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { closeOcr, ocrImage } from './ocr.ts';

const fixture = new URL('./fixtures/scanned-report.png', import.meta.url);

describe('ocrImage', () => {
  after(closeOcr);

  it('reads the printed words of a scanned page image, offline', async () => {
    const png = new Uint8Array(await readFile(fixture));
    const started = performance.now();
    const { text, confidence } = await ocrImage(png);
    const first = performance.now() - started;
    for (const word of ['Radiology', 'report', 'Chest', 'X-ray', 'pneumonia', 'cardiomegaly', 'Follow', 'months']) {
      assert.match(text, new RegExp(`\\b${word}\\b`), `OCR missed "${word}"`);
    }
    assert.ok(confidence > 70, `confidence ${confidence}`);

    const again = performance.now();
    assert.equal((await ocrImage(png)).text, text);
    const reused = performance.now() - again;
    console.log(`# ocr of the fixture: first ${first.toFixed(0)} ms (worker start), reused ${reused.toFixed(0)} ms`);
  });

  it('reads a blank page as no text', async () => {
    const blank = new Uint8Array(await readFile(new URL('./fixtures/blank.png', import.meta.url)));
    assert.equal((await ocrImage(blank)).text, '');
  });

  it('rejects bytes that are not an image, and keeps working after', async () => {
    await assert.rejects(ocrImage(new TextEncoder().encode('not an image at all')), Error);
    assert.match((await ocrImage(new Uint8Array(await readFile(fixture)))).text, /cardiomegaly/);
  });

  it('starts a new worker after closeOcr', async () => {
    await closeOcr();
    const png = new Uint8Array(await readFile(fixture));
    assert.match((await ocrImage(png)).text, /pneumonia/);
  });
});
