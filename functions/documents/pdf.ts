import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, VerbosityLevel, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// pdf.js reads these from disk in Node; trailing slashes are required by its URL joins.
const assets = {
  standardFontDataUrl: join(root, 'standard_fonts') + '/',
  cMapUrl: join(root, 'cmaps') + '/',
  cMapPacked: true,
  wasmUrl: join(root, 'wasm') + '/',
  iccUrl: join(root, 'iccs') + '/',
};

/**
 * Opens a PDF from bytes with everything pdf.js needs read from node_modules: no fetch, no eval, no console noise.
 * The caller must `destroy()` the document. The bytes are copied because pdf.js detaches the buffer it is given.
 *
 * @example
 * const pdf = await openPdf(bytes);
 * try { console.log(pdf.numPages); } finally { await pdf.destroy(); }
 */
export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const task = getDocument({
    // A copy, and a plain Uint8Array even from a Buffer (whose slice() is a view, and which pdf.js refuses).
    data: new Uint8Array(bytes),
    ...assets,
    useWorkerFetch: false,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: VerbosityLevel.ERRORS,
  });
  return task.promise;
}
