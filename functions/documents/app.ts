import { DocumentFailedV1, DocumentProcessedV1, DocumentUploadedV1 } from '../../events/documents.ts';
import type { CloudEvent, EventData } from '../../events/envelope.ts';
import { on } from '../../shared/bus/consumer.ts';
import { emit } from '../../shared/bus/emit.ts';
import { createBlobStore, type BlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { db, type Tx } from '../../shared/db/index.ts';
import { defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import { keyring, type Keyring } from '../../shared/keyring/index.ts';
import { log } from '../../shared/telemetry/index.ts';
import { ExtractionRefused } from './admission.ts';
import { documentsDefaults, type DocumentsOptions } from './config.ts';
import type { ExtractionPool } from './extract-worker.ts';
import { prepareDocument, type Outcome } from './prepare.ts';
import { insertResult } from './queries.ts';

type Uploaded = CloudEvent<EventData<typeof DocumentUploadedV1>>;

/** Records the outcome and announces it, in the transaction that marks the upload event as processed. */
async function record(tx: Tx, event: Uploaded, outcome: Outcome): Promise<void> {
  const { caseId, ownerId, documentId, kind } = event.data;
  const processed = outcome.status === 'processed';
  const fresh = await insertResult(tx, {
    documentId,
    caseId,
    kind,
    status: outcome.status,
    reason: processed ? null : outcome.reason,
    pages: processed ? outcome.pages : null,
    characters: processed ? outcome.characters : null,
    language: processed ? outcome.language : null,
    metadata: processed ? outcome.metadata : {},
  });
  if (!fresh) return; // this document was already recorded, and announced, under another event id
  if (outcome.status === 'failed') {
    await emit(tx, DocumentFailedV1, { source: 'documents', subject: caseId, data: { caseId, documentId, reason: outcome.reason } });
    return;
  }
  const { pages, characters, language, textBlobKey, deidentifiedBlobKey } = outcome;
  await emit(tx, DocumentProcessedV1, {
    source: 'documents',
    subject: caseId,
    data: { caseId, ownerId, documentId, kind, pages, characters, language, textBlobKey, ...(deidentifiedBlobKey ? { deidentifiedBlobKey } : {}) },
  });
}

// About one document's extraction: by then a place has likely come free.
const RETRY_AFTER_SECONDS = 2;

/**
 * A delivery this replica cannot take now, answered 503 with Retry-After: the bus waits that long and does not count
 * it as an attempt (shared/bus/delivery.ts outcomeOf; JetStream holds the message meanwhile, Knative retries by its
 * delivery spec). The document is not failed, and nothing was read or written for it.
 */
function saturated(event: Uploaded, refusal: ExtractionRefused): HttpProblem {
  log.info('document delivery refused: extraction queue full', { documentId: event.data.documentId, kind: event.data.kind, reason: refusal.reason });
  return new HttpProblem(503, 'extraction-saturated', {
    detail: 'This replica cannot read the document now; deliver it again later.',
    reason: refusal.reason,
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
  });
}

/**
 * The documents function: consumes document.uploaded.v1, reads the record (PDF text, OCR, DICOM metadata and
 * de-identification) outside any transaction, and answers every upload with exactly one document.processed.v1 or
 * document.failed.v1 — or refuses the delivery (503) while its extraction queue is full (`extractionQueuePerThread`,
 * `extractionQueueBytes`). Limits and adapters may be replaced (tests, benchmarks); the blob store is made on first
 * use, the extraction pool is the process's for these limits unless one is given.
 *
 * @example
 * const documents = createDocuments({ options: { ...documentsDefaults, maxOcrPages: 5 } });
 */
export function createDocuments(
  deps: { options?: Partial<DocumentsOptions>; blobs?: BlobStore; keyring?: Keyring; pool?: ExtractionPool } = {},
): ConsiliumFunction {
  // Read per event, not at import: loading the module must not parse the environment.
  const options = (): DocumentsOptions => ({ ...documentsDefaults, maxBytes: config().documents.maxBytes, ...deps.options });
  let blobs = deps.blobs;
  const store = () => (blobs ??= createBlobStore(config()));
  const pool = deps.pool ? { pool: deps.pool } : {};
  const prepare = async (event: Uploaded) => {
    try {
      return await prepareDocument(event.data, { sql: db, blobs: store, keyring: deps.keyring ?? keyring(), options: options(), ...pool });
    } catch (error) {
      throw error instanceof ExtractionRefused ? saturated(event, error) : error;
    }
  };
  return defineFunction({ name: 'documents', events: [on(DocumentUploadedV1, record, { prepare })] });
}

export default createDocuments();
