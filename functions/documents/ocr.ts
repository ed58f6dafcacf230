import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Tesseract from 'tesseract.js';

/** What OCR read from an image; confidence is tesseract's mean word confidence, 0–100. */
export interface OcrResult {
  text: string;
  confidence: number;
}

const require = createRequire(import.meta.url);
// The LSTM-only "best_int" model (2.9 MB) matches tesseract.js's default engine; the package's default
// 4.0.0 folder also carries the legacy engine's data (10.9 MB) that the LSTM engine never reads.
const langPath = join(dirname(require.resolve('@tesseract.js-data/eng')), '4.0.0_best_int');

let worker: Promise<Tesseract.Worker> | undefined;

/**
 * The OCR engine itself could not start (its model missing, no memory for the worker): a fault of this replica,
 * not of the image, so the caller should retry rather than call the document unreadable.
 *
 * @example
 * if (error instanceof OcrUnavailableError) throw error; // let the event be redelivered
 */
export class OcrUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the OCR engine could not start', { cause });
    this.name = 'OcrUnavailableError';
  }
}

function startWorker(): Promise<Tesseract.Worker> {
  return Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
    // Read the traineddata from node_modules and never write a cache: no network, no stray files in the cwd.
    langPath,
    gzip: true,
    cacheMethod: 'none',
    logger: () => {},
    // Without a handler tesseract.js rethrows a failed job inside its message listener, crashing the process;
    // the job's promise is rejected either way.
    errorHandler: () => {},
  });
}

function getWorker(): Promise<Tesseract.Worker> {
  worker ??= startWorker().catch((error: unknown) => {
    worker = undefined; // let the next call try again rather than caching the failure
    throw error;
  });
  return worker;
}

/**
 * Reads the printed text of a PNG or JPEG image offline. The first call starts one tesseract worker (about a
 * second); later calls reuse it, one image at a time. Call `closeOcr()` on shutdown. Throws
 * {@link OcrUnavailableError} when the engine cannot start, any other Error when the image cannot be read.
 *
 * @example
 * const { text, confidence } = await ocrImage(pngBytes);
 */
export async function ocrImage(image: Uint8Array): Promise<OcrResult> {
  const ocr = await getWorker().catch((cause: unknown) => {
    throw new OcrUnavailableError(cause);
  });
  try {
    const { data } = await ocr.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
    return { text: data.text.trim(), confidence: data.confidence };
  } catch (cause) {
    // tesseract.js rejects with a bare string; give callers an Error.
    throw cause instanceof Error ? cause : new Error(`OCR failed: ${String(cause)}`, { cause });
  }
}

/**
 * Terminates the OCR worker, if one was started; the next `ocrImage` starts a new one.
 *
 * @example
 * process.on('SIGTERM', () => void closeOcr());
 */
export async function closeOcr(): Promise<void> {
  const current = worker;
  worker = undefined;
  if (current === undefined) return;
  await (await current.catch(() => undefined))?.terminate();
}
