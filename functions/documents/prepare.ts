import { createHash, createHmac } from 'node:crypto';
import { documentStorage, stagedUploadKey, type DocumentUploadedV1 } from '../../events/documents.ts';
import type { EventData } from '../../events/envelope.ts';
import type { BlobStore } from '../../shared/blob/index.ts';
import type { Sql } from '../../shared/db/index.ts';
import { openBytes, sealBytes, type Keyring } from '../../shared/keyring/index.ts';
import { log } from '../../shared/telemetry/index.ts';
import type { DocumentsOptions } from './config.ts';
import { detectKind } from '../../shared/blob/detect.ts';
import { DocumentFailure, type FailureReason } from './extract.ts';
import type { ExtractionPool } from './extract-worker.ts';
import { guessLanguage } from './language.ts';

type Uploaded = EventData<typeof DocumentUploadedV1>;

/** What reading a document came to, handed from the slow part (no transaction) to the recording one. */
export type Outcome =
  | {
      status: 'processed';
      pages: number;
      characters: number;
      language: string;
      textBlobKey: string;
      deidentifiedBlobKey?: string;
      metadata: Record<string, unknown>;
    }
  | { status: 'failed'; reason: FailureReason };

/** Where the pipeline reads and writes; each is a real adapter (blob store, keyring, database). */
export interface PrepareDeps {
  sql: () => Sql;
  blobs: () => BlobStore;
  keyring: Keyring;
  options: DocumentsOptions;
  /** The extraction threads; by default this process's pool for `options` (tests pass one of their own). */
  pool?: ExtractionPool;
}

const SEALED = 'application/octet-stream';

/** Code points, not UTF-16 units: a character outside the BMP counts once. */
function countCharacters(text: string): number {
  return text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

/**
 * The de-identification secret of one patient, derived from their data key: UIDs and date shifts stay consistent
 * across their studies, cannot be reversed without the key, and become unlinkable once the key is shredded.
 */
function deidentificationSecret(key: Buffer): Buffer {
  return createHmac('sha256', key).update('consilium:dicom-deidentification:v1').digest();
}

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The original bytes of an upload, sealed on the way: at the first delivery they wait in plaintext where the client
 * PUT them (cases verified them there), and are sealed under the owner's key as the original, then the plaintext is
 * deleted — in that order, so a redelivery after a crash seals again or reads the sealed original. Bytes that are not
 * the ones announced (a second PUT to a still-valid upload URL, on a store that does not check the signed SHA-256)
 * are deleted unsealed: `corrupt`.
 */
async function sealedOriginal(data: Uploaded, key: Buffer, deps: PrepareDeps): Promise<Uint8Array> {
  const original = documentStorage.original(data.caseId, data.documentId);
  const stagedKey = stagedUploadKey(data);
  const staged = await deps.blobs().get(stagedKey); // an unreachable store throws: the event is retried
  if (staged) {
    if (staged.length !== data.size || sha256Of(staged) !== data.sha256) {
      await deps.blobs().delete(stagedKey);
      throw new DocumentFailure('corrupt');
    }
    await deps.blobs().put(original.key, sealBytes(key, staged, original.context), SEALED);
    await deps.blobs().delete(stagedKey);
    return staged;
  }
  const sealed = await deps.blobs().get(original.key);
  if (!sealed) throw new DocumentFailure('unreadable');
  try {
    return openBytes(key, sealed, original.context);
  } catch {
    throw new DocumentFailure('unreadable'); // sealed under another key or context, or altered
  }
}

async function read(data: Uploaded, key: Buffer, deps: PrepareDeps): Promise<Uint8Array> {
  // A plain Uint8Array of its own: pdf.js refuses a Buffer, and a small Buffer is a view into a shared pool.
  const bytes = new Uint8Array(await sealedOriginal(data, key, deps));
  if (bytes.length > deps.options.maxBytes) throw new DocumentFailure('too-large');
  if (sha256Of(bytes) !== data.sha256) throw new DocumentFailure('corrupt');
  const kind = detectKind(bytes);
  if (kind === undefined) throw new DocumentFailure('unsupported-kind');
  if (kind !== data.kind) throw new DocumentFailure('type-mismatch');
  return bytes;
}

async function poolFor(deps: PrepareDeps): Promise<ExtractionPool> {
  if (deps.pool) return deps.pool;
  // Imported dynamically, not for a lazy start alone: the bundle must emit it as a file of its own, which is also
  // the entry of the worker thread the extraction runs in (see extract-worker.ts).
  const { extractionPool } = await import('./extract-worker.ts');
  const { extractionThreads: threads, extractionQueuePerThread: queuePerThread, extractionQueueBytes: queueBytes } = deps.options;
  return extractionPool({ threads, queuePerThread, queueBytes });
}

/**
 * The slow part of processing an upload, run outside any transaction: seal the verified upload as the original (or
 * read the original sealed at an earlier delivery), check its kind, extract, and store the text (and a DICOM
 * de-identified copy) sealed under the owner's key at the deterministic keys of `documentStorage` — so a redelivery
 * overwrites rather than adds. The extraction runs in one of the process's long-lived extraction threads
 * (`extractionThreads`, queued when all are busy) with a deadline (`extractionTimeoutMs`). A document that cannot be
 * read, or not within the deadline (`timeout`), gives a `failed` outcome; a fault of the infrastructure (blob store,
 * database, OCR engine) throws. When the queue is full it throws `ExtractionRefused` before reading or writing
 * anything (the staged upload stays as it is), for the delivery to be retried.
 *
 * @example
 * const outcome = await prepareDocument(event.data, { sql: db, blobs, keyring: keyring(), options: documentsDefaults });
 */
export async function prepareDocument(data: Uploaded, deps: PrepareDeps): Promise<Outcome> {
  const key = await deps.keyring.existingKey(deps.sql(), data.ownerId);
  if (!key) {
    // Erased: nothing is read or stored for them, and the plaintext upload goes too.
    await deps.blobs().delete(stagedUploadKey(data));
    return { status: 'failed', reason: 'unreadable' };
  }
  const pool = await poolFor(deps);
  // The place is taken on the announced size before the bytes are read (and the upload sealed): a refusal leaves
  // everything as the delivery found it. Plain text is decoded in place and needs none.
  const admission = data.kind === 'text' ? undefined : pool.admit(data.size, data.documentId);
  let extraction;
  try {
    const bytes = await read(data, key, deps);
    const options = { ...deps.options, deidentificationSecret: deidentificationSecret(key) };
    extraction = await pool.extract(bytes, data.kind, options, { timeoutMs: deps.options.extractionTimeoutMs, ...(admission ? { admission } : {}) });
  } catch (error) {
    if (!(error instanceof DocumentFailure)) throw error;
    if (error.reason === 'timeout') {
      log.warn('document extraction timed out', { documentId: data.documentId, kind: data.kind, timeoutMs: deps.options.extractionTimeoutMs });
    }
    // Ops want to know which reader broke on what kind; the name only — a message may quote the file.
    if (error.reason === 'unreadable' && error.cause instanceof Error) {
      log.warn('document unreadable', { documentId: data.documentId, kind: data.kind, error: error.cause.name });
    }
    return { status: 'failed', reason: error.reason };
  } finally {
    admission?.release(); // the pool gives it back once the extraction settles; this covers a read that failed first
  }

  const text = documentStorage.text(data.caseId, data.documentId);
  await deps.blobs().put(text.key, sealBytes(key, new TextEncoder().encode(extraction.text), text.context), SEALED);
  let deidentifiedBlobKey: string | undefined;
  if (extraction.deidentified) {
    const copy = documentStorage.deidentified(data.caseId, data.documentId);
    await deps.blobs().put(copy.key, sealBytes(key, extraction.deidentified, copy.context), SEALED);
    deidentifiedBlobKey = copy.key;
  }
  return {
    status: 'processed',
    pages: extraction.pages,
    characters: countCharacters(extraction.text),
    language: guessLanguage(extraction.text),
    textBlobKey: text.key,
    ...(deidentifiedBlobKey ? { deidentifiedBlobKey } : {}),
    metadata: extraction.metadata,
  };
}
