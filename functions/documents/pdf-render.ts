import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { openPdf } from './pdf.ts';

/** The largest bitmap a page is rendered to; a bigger page is scaled down so one upload cannot exhaust memory. */
export const MAX_PIXELS = 5000 * 5000;

// pdf.js's Node canvas factory hands out @napi-rs/canvas canvases (a prebuilt binary, no node-gyp).
interface NodeCanvas {
  width: number;
  height: number;
  toBuffer(mime: 'image/png'): Buffer;
}
type RenderParameters = Parameters<PDFPageProxy['render']>[0];
interface CanvasFactory {
  create(width: number, height: number): { canvas: NodeCanvas; context: unknown };
  destroy(entry: { canvas: NodeCanvas; context: unknown }): void;
}

/**
 * Renders one page of a PDF (1-based) to a PNG, for OCR of scanned pages. 200 dpi is what tesseract reads best.
 *
 * @example
 * for (const n of scannedPages(text)) await ocrImage(await renderPdfPage(bytes, n));
 */
export async function renderPdfPage(bytes: Uint8Array, pageNumber: number, dpi = 200): Promise<Uint8Array> {
  const pdf = await openPdf(bytes);
  try {
    const page = await pdf.getPage(pageNumber);
    const natural = page.getViewport({ scale: 1 });
    let scale = dpi / 72;
    const pixels = natural.width * natural.height * scale * scale;
    if (pixels > MAX_PIXELS) scale *= Math.sqrt(MAX_PIXELS / pixels);
    const viewport = page.getViewport({ scale });

    const factory = pdf.canvasFactory as CanvasFactory;
    const entry = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
    try {
      // The DOM canvas types pdf.js declares do not exist in Node; @napi-rs/canvas implements what it calls.
      const parameters = { canvas: entry.canvas, canvasContext: entry.context, viewport, background: 'white' };
      await page.render(parameters as unknown as RenderParameters).promise;
      return new Uint8Array(entry.canvas.toBuffer('image/png'));
    } finally {
      factory.destroy(entry);
      page.cleanup();
    }
  } finally {
    await pdf.destroy();
  }
}
