import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { documentsDefaults } from '../functions/documents/config.ts';
import { extract } from '../functions/documents/extract.ts';
import { closeOcr, ocrImage } from '../functions/documents/ocr.ts';
import { openPdf } from '../functions/documents/pdf.ts';
import { renderPdfPage } from '../functions/documents/pdf-render.ts';
import { measured, type Row } from './support/report.ts';

/** How much each side reads. */
export interface PipelineOptions {
  /** Pages of the text PDF, read `textRounds` times per side. */
  textPages: number;
  textRounds: number;
  /** Scanned pages read through render + OCR (and as many fixture images through OCR alone). */
  ocrPages: number;
}

/** About 20 s on this machine, most of it OCR. */
export const pipelineDefaults: PipelineOptions = { textPages: 50, textRounds: 4, ocrPages: 3 };

const fixture = new URL('../functions/documents/fixtures/scanned-report.png', import.meta.url);
const LINE = 'The patient was reviewed in clinic; blood pressure 132/84, heart sounds normal, no peripheral oedema.';

async function textPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([595, 842]);
    for (let i = 0; i < 36; i++) page.drawText(`${p + 1}.${i + 1} ${LINE}`, { x: 40, y: 800 - i * 21, size: 9, font });
  }
  return doc.save();
}

async function scannedPdf(pages: number, png: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(png);
  const height = (image.height / image.width) * 515;
  for (let p = 0; p < pages; p++) doc.addPage([595, 842]).drawImage(image, { x: 40, y: 802 - height, width: 515, height });
  return doc.save();
}

/** pdf.js alone: every page's text content, nothing joined or checked — the floor under `extract`. */
async function rawPdfText(bytes: Uint8Array): Promise<number> {
  const pdf = await openPdf(bytes);
  try {
    for (let n = 1; n <= pdf.numPages; n++) await (await pdf.getPage(n)).getTextContent();
    return pdf.numPages;
  } finally {
    await pdf.destroy();
  }
}

/** Pages read per wall second and per CPU second of this process (every thread: tesseract runs in a worker). */
async function rate(read: () => Promise<number>): Promise<{ perSecond: number; perCpuSecond: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const pages = await read();
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: pages / wall, perCpuSecond: pages / ((used.user + used.system) / 1e6) };
}

async function repeat(times: number, read: () => Promise<number>): Promise<number> {
  let pages = 0;
  for (let i = 0; i < times; i++) pages += await read();
  return pages;
}

/**
 * Pages per second per core of the documents pipeline's readers, in this process: PDF text (`extract` on a
 * generated text PDF vs pdf.js `getTextContent` alone) and OCR (`extract` on a scanned PDF: render at 200 dpi +
 * tesseract, vs tesseract alone on that rendered page image). Per core = pages ÷ CPU seconds of the process. No target:
 * the numbers size the documents function's replicas.
 *
 * @example
 * const rows = await benchPipeline(pipelineDefaults);
 */
export async function benchPipeline(options: PipelineOptions = pipelineDefaults): Promise<Row[]> {
  const settings = { ...documentsDefaults, maxOcrPages: options.ocrPages, deidentificationSecret: new Uint8Array(32) };
  const text = await textPdf(options.textPages);
  const png = new Uint8Array(await readFile(fixture));
  const scanned = await scannedPdf(options.ocrPages, png);
  try {
    // Warm-up: pdf.js and the canvas load, the tesseract worker starts; none of it counts. The baseline OCRs the very
    // page image extract() renders (an A4 page at 200 dpi), so the ratio is the cost of rendering and the rest.
    await extract(text, 'pdf', settings);
    const page = await renderPdfPage(scanned, 1);
    await ocrImage(page);

    const pdfOurs = await rate(() => repeat(options.textRounds, async () => (await extract(text, 'pdf', settings)).pages));
    const pdfRaw = await rate(() => repeat(options.textRounds, () => rawPdfText(text)));
    const ocrOurs = await rate(async () => {
      const result = await extract(scanned, 'pdf', settings);
      if (result.metadata.ocrPages !== options.ocrPages) throw new Error(`OCR read ${String(result.metadata.ocrPages)} of ${options.ocrPages} pages`);
      return result.pages;
    });
    const ocrRaw = await rate(() =>
      repeat(options.ocrPages, async () => {
        if (!(await ocrImage(page)).text) throw new Error('OCR read nothing from the rendered page');
        return 1;
      }),
    );

    const cores = availableParallelism();
    const wall = (ours: number, raw: number) => `wall clock ${ours.toFixed(1)} vs ${raw.toFixed(1)} pages/s on ${cores} shared cores`;
    return [
      measured('documents PDF text', 'pages/s/core', pdfOurs.perCpuSecond, pdfRaw.perCpuSecond, undefined, {
        note: `extract() vs pdf.js getTextContent alone, ${options.textPages} pages x ${options.textRounds}; ${wall(pdfOurs.perSecond, pdfRaw.perSecond)}`,
      }),
      measured('documents OCR', 'pages/s/core', ocrOurs.perCpuSecond, ocrRaw.perCpuSecond, undefined, {
        note: `extract() of a scanned PDF (render 200 dpi + OCR) vs tesseract alone on the same rendered page, ${options.ocrPages} pages; ${wall(ocrOurs.perSecond, ocrRaw.perSecond)}`,
      }),
    ];
  } finally {
    await closeOcr();
  }
}
