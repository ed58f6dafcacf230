import { DocumentFailedV1, DocumentProcessedV1, DocumentUploadedV1 } from '../../events/documents.ts';
import type { CloudEvent, EventData } from '../../events/envelope.ts';
import { on } from '../../shared/bus/consumer.ts';
import { emit } from '../../shared/bus/emit.ts';
import { createBlobStore, type BlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { db, type Tx } from '../../shared/db/index.ts';
import { defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { keyring, type Keyring } from '../../shared/keyring/index.ts';
import { documentsDefaults, type DocumentsOptions } from './config.ts';
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

/**
 * The documents function: consumes document.uploaded.v1, reads the record (PDF text, OCR, DICOM metadata and
 * de-identification) outside any transaction, and answers every upload with exactly one document.processed.v1 or
 * document.failed.v1. Limits and adapters may be replaced (tests, benchmarks); the blob store is made on first use.
 *
 * @example
 * const documents = createDocuments({ options: { ...documentsDefaults, maxOcrPages: 5 } });
 */
export function createDocuments(deps: { options?: Partial<DocumentsOptions>; blobs?: BlobStore; keyring?: Keyring } = {}): ConsiliumFunction {
  // Read per event, not at import: loading the module must not parse the environment.
  const options = (): DocumentsOptions => ({ ...documentsDefaults, maxBytes: config().documents.maxBytes, ...deps.options });
  let blobs = deps.blobs;
  const store = () => (blobs ??= createBlobStore(config()));
  const prepare = (event: Uploaded) => prepareDocument(event.data, { sql: db, blobs: store, keyring: deps.keyring ?? keyring(), options: options() });
  return defineFunction({ name: 'documents', events: [on(DocumentUploadedV1, record, { prepare })] });
}

export default createDocuments();
