import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import { openPdf } from './pdf.ts';

/** The text layer of a PDF: one string per page (1-based page n is `perPage[n - 1]`) and all pages joined. */
export interface PdfText {
  pages: number;
  text: string;
  perPage: string[];
}

/** Below this many non-space characters a page is taken to be an image (a scan) rather than text. */
export const SCANNED_PAGE_CHARACTERS = 16;

/** The PDF has more pages than the caller agreed to read. */
export class PdfTooLargeError extends Error {
  constructor(readonly pages: number, readonly maxPages: number) {
    super(`the PDF has ${pages} pages, more than ${maxPages}`);
    this.name = 'PdfTooLargeError';
  }
}

function isTextItem(item: object): item is TextItem {
  return 'str' in item;
}

/**
 * Extracts the text of every page of a PDF with pdf.js. Throws on a corrupt or password-protected file
 * (`PasswordException`, `InvalidPDFException`), and with {@link PdfTooLargeError} when it has more than
 * `maxPages` pages (before reading any of them).
 *
 * @example
 * const { pages, perPage } = await extractPdfText(bytes, { maxPages: 500 });
 * console.log(pages, perPage[0]?.length);
 */
export async function extractPdfText(bytes: Uint8Array, { maxPages = Infinity }: { maxPages?: number } = {}): Promise<PdfText> {
  const pdf = await openPdf(bytes);
  try {
    if (pdf.numPages > maxPages) throw new PdfTooLargeError(pdf.numPages, maxPages);
    const perPage: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!isTextItem(item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      perPage.push(text.trim());
      page.cleanup();
    }
    return { pages: pdf.numPages, text: perPage.join('\n\n'), perPage };
  } finally {
    await pdf.destroy();
  }
}

/**
 * The 1-based numbers of the pages that carry (almost) no text, so are likely scans to OCR.
 *
 * @example
 * const scans = scannedPages(await extractPdfText(bytes)); // e.g. [2, 3]
 */
export function scannedPages(pdf: PdfText, minCharacters = SCANNED_PAGE_CHARACTERS): number[] {
  const pages: number[] = [];
  pdf.perPage.forEach((text, i) => {
    if (text.replace(/\s+/g, '').length < minCharacters) pages.push(i + 1);
  });
  return pages;
}
