import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { extractPdfText, scannedPages } from './pdf-text.ts';

async function pdfWithText(pages: string[][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 14, font }));
  }
  return doc.save();
}

describe('extractPdfText', () => {
  it('extracts the text of a PDF made with pdf-lib, page by page', async () => {
    const bytes = await pdfWithText([
      ['Discharge summary', 'Diagnosis: essential hypertension'],
      ['Medication: metformin 500 mg twice daily'],
    ]);
    const started = performance.now();
    const result = await extractPdfText(bytes);
    const ms = performance.now() - started;
    assert.equal(result.pages, 2);
    assert.equal(result.perPage.length, 2);
    assert.match(result.perPage[0]!, /Discharge summary/);
    assert.match(result.perPage[0]!, /essential hypertension/);
    assert.match(result.perPage[1]!, /metformin 500 mg twice daily/);
    assert.doesNotMatch(result.perPage[0]!, /metformin/);
    assert.match(result.text, /hypertension[\s\S]*metformin/);
    const again = performance.now();
    await extractPdfText(bytes);
    const warm = performance.now() - again;
    console.log(`# pdf text extraction, 2 pages: first ${ms.toFixed(0)} ms (loads pdf.js), then ${warm.toFixed(0)} ms`);
  });

  it('leaves the caller`s bytes usable (pdf.js detaches what it is given)', async () => {
    const bytes = await pdfWithText([['Reusable bytes']]);
    await extractPdfText(bytes);
    assert.equal(bytes.byteLength > 0, true);
    assert.match((await extractPdfText(bytes)).text, /Reusable bytes/);
  });

  it('rejects bytes that are not a PDF', async () => {
    await assert.rejects(extractPdfText(new TextEncoder().encode('%PDF-1.7 nothing else')));
  });
});

describe('scannedPages', () => {
  it('names the pages with (almost) no text as scans to OCR', async () => {
    const bytes = await pdfWithText([['A page with plenty of real text on it'], [], ['p. 3']]);
    assert.deepEqual(scannedPages(await extractPdfText(bytes)), [2, 3]);
  });

  it('names none when every page has text', () => {
    assert.deepEqual(scannedPages({ pages: 1, text: 'x', perPage: ['Sixteen characters or more here'] }), []);
  });
});
