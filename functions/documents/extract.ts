import type { EventData } from '../../events/envelope.ts';
import type { DocumentFailedV1 } from '../../events/documents.ts';
import type { DocumentsOptions } from './config.ts';
import type { DocumentKind } from '../../shared/blob/detect.ts';
import { imageSize } from './image-size.ts';

// The readers (pdf.js, tesseract.js, @napi-rs/canvas, dcmjs) are imported on first use: a cold start that only
// answers probes, or a text upload, never loads them.

/** Why a document could not be read: a code from the document.failed.v1 catalogue, never its content. */
export type FailureReason = EventData<typeof DocumentFailedV1>['reason'];

/**
 * The document itself cannot be read; anything else thrown by {@link extract} is a fault of this replica. `cause` is
 * what a reader threw, when one did.
 *
 * @example
 * if (error instanceof DocumentFailure) return { status: 'failed', reason: error.reason };
 */
export class DocumentFailure extends Error {
  constructor(readonly reason: FailureReason, options?: { cause: unknown }) {
    super(`document not readable: ${reason}`, options);
    this.name = 'DocumentFailure';
  }
}

/** What a document yields: its text (empty when it has none) and non-identifying facts about it. */
export interface Extraction {
  pages: number;
  text: string;
  metadata: Record<string, unknown>;
  /** DICOM only: the PS3.15 Basic-Profile de-identified file. */
  deidentified?: Uint8Array;
}

/** The limits {@link extract} applies, and the secret the DICOM de-identification is keyed with. */
export interface ExtractOptions extends Pick<DocumentsOptions, 'maxPages' | 'maxOcrPages' | 'maxImagePixels'> {
  /** Keys the DICOM UID mapping and date shift (≥ 16 bytes). */
  deidentificationSecret: Uint8Array;
}

async function extractPdf(bytes: Uint8Array, options: ExtractOptions): Promise<Extraction> {
  const { extractPdfText, scannedPages } = await import('./pdf-text.ts');
  const pdf = await extractPdfText(bytes, { maxPages: options.maxPages });
  const scans = scannedPages(pdf);
  const toRead = scans.slice(0, options.maxOcrPages);
  let unreadPages = 0;
  if (toRead.length > 0) {
    const [{ renderPdfPage }, { ocrImage, OcrUnavailableError }] = await Promise.all([import('./pdf-render.ts'), import('./ocr.ts')]);
    for (const n of toRead) {
      try {
        const { text } = await ocrImage(await renderPdfPage(bytes, n));
        pdf.perPage[n - 1] = [pdf.perPage[n - 1], text].filter(Boolean).join('\n');
      } catch (error) {
        // One page pdf.js cannot draw must not cost the text of the others; a broken OCR engine is ours to retry.
        if (error instanceof OcrUnavailableError) throw error;
        unreadPages++;
      }
    }
  }
  const metadata = { scannedPages: scans.length, ocrPages: toRead.length - unreadPages, ocrSkippedPages: scans.length - toRead.length + unreadPages };
  return { pages: pdf.pages, text: pdf.perPage.join('\n\n').trim(), metadata };
}

async function extractImage(bytes: Uint8Array, kind: 'png' | 'jpeg', options: ExtractOptions): Promise<Extraction> {
  const size = imageSize(bytes, kind);
  if (!size) throw new DocumentFailure('corrupt');
  if (size.width * size.height > options.maxImagePixels) throw new DocumentFailure('too-large');
  const { ocrImage, OcrUnavailableError } = await import('./ocr.ts');
  try {
    const { text } = await ocrImage(bytes);
    return { pages: 1, text, metadata: { width: size.width, height: size.height } };
  } catch (error) {
    if (error instanceof OcrUnavailableError) throw error;
    throw new DocumentFailure('corrupt'); // the header was an image's, the rest would not decode
  }
}

async function extractDicom(bytes: Uint8Array, options: ExtractOptions): Promise<Extraction> {
  const { deidentify, readDicomMetadata } = await import('./dicom.ts');
  let metadata: Awaited<ReturnType<typeof readDicomMetadata>>;
  let deidentified: Uint8Array;
  try {
    metadata = readDicomMetadata(bytes);
    deidentified = deidentify(bytes, { secret: options.deidentificationSecret });
  } catch {
    throw new DocumentFailure('corrupt');
  }
  // The text a reader (or the analyser) gets for an image: its clinical context, one fact a line.
  const lines = [
    ['Modality', metadata.modality],
    ['Body part examined', metadata.bodyPartExamined],
    ['Study description', metadata.studyDescription],
    ['Study date', metadata.studyDate?.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')],
    ['Series description', metadata.seriesDescription],
    ['Frames', metadata.numberOfFrames],
  ].filter(([, value]) => value !== undefined);
  const text = lines.map(([label, value]) => `${label}: ${value}`).join('\n');
  return { pages: metadata.numberOfFrames ?? 0, text, metadata: { ...metadata }, deidentified };
}

/**
 * Maps what a reader threw to a failure code, or `undefined` when the fault is not the document's (the OCR engine
 * did not start): that one is rethrown so the event is retried.
 */
function reasonOf(error: unknown): FailureReason | undefined {
  if (error instanceof DocumentFailure) return error.reason;
  const name = error instanceof Error ? error.name : '';
  if (name === 'OcrUnavailableError') return undefined;
  if (name === 'PdfTooLargeError') return 'too-large';
  if (name === 'PasswordException') return 'encrypted';
  if (name === 'InvalidPDFException' || name === 'FormatError') return 'corrupt';
  // Anything else a reader throws (a pdf.js bug, a malformed object deep inside): retrying would fail the same way.
  return 'unreadable';
}

/**
 * Reads a document of a known kind: the PDF text layer (OCR for pages without one, up to `maxOcrPages`), OCR of
 * a JPEG or PNG, plain text as is, DICOM clinical metadata plus a de-identified copy. Throws {@link DocumentFailure}
 * when the document cannot be read; anything else it throws is the replica's fault (retry).
 *
 * @example
 * const { pages, text } = await extract(bytes, 'pdf', { ...documentsDefaults, deidentificationSecret });
 */
export async function extract(bytes: Uint8Array, kind: DocumentKind, options: ExtractOptions): Promise<Extraction> {
  try {
    switch (kind) {
      case 'pdf':
        return await extractPdf(bytes, options);
      case 'png':
      case 'jpeg':
        return await extractImage(bytes, kind, options);
      case 'dicom':
        return await extractDicom(bytes, options);
      case 'text':
        return { pages: 1, text: new TextDecoder('utf-8').decode(bytes).trim(), metadata: {} };
    }
  } catch (error) {
    const reason = reasonOf(error);
    if (reason === undefined) throw error;
    throw error instanceof DocumentFailure ? error : new DocumentFailure(reason, { cause: error });
  }
}
