import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { detectKind } from '../../shared/blob/detect.ts';
import { closeOcr, ocrImage } from './ocr.ts';
import { renderPdfPage } from './pdf-render.ts';
import { extractPdfText, scannedPages } from './pdf-text.ts';

/** A one-page PDF whose only content is the scanned fixture image, as a scanner would produce. */
async function scannedPdf(): Promise<Uint8Array> {
  const png = await readFile(new URL('./fixtures/scanned-report.png', import.meta.url));
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(png);
  const page = doc.addPage([595, 842]);
  const width = 515;
  const height = (image.height / image.width) * width;
  page.drawImage(image, { x: 40, y: 842 - 40 - height, width, height });
  return doc.save();
}

describe('renderPdfPage', () => {
  after(closeOcr);

  it('renders a scanned PDF page to a PNG that OCR reads', async () => {
    const pdf = await scannedPdf();
    const text = await extractPdfText(pdf);
    assert.deepEqual(scannedPages(text), [1]);

    const started = performance.now();
    const png = await renderPdfPage(pdf, 1);
    const rendered = performance.now() - started;
    assert.equal(detectKind(png), 'png');
    const { text: read } = await ocrImage(png);
    for (const word of ['Radiology', 'pneumonia', 'cardiomegaly']) assert.match(read, new RegExp(`\\b${word}\\b`));
    console.log(`# render of a scanned page at 200 dpi: ${rendered.toFixed(0)} ms`);
  });

  it('scales the page to the requested resolution', async () => {
    const pdf = await scannedPdf();
    const png = await renderPdfPage(pdf, 1, 72);
    const view = new DataView(png.buffer, png.byteOffset);
    assert.deepEqual([view.getUint32(16), view.getUint32(20)], [595, 842]); // IHDR width, height
  });

  it('rejects a page that does not exist', async () => {
    await assert.rejects(renderPdfPage(await scannedPdf(), 2));
  });
});
