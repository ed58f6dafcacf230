import * as v from 'valibot';
import { defineEvent } from './envelope.ts';

// Document events carry ids and metadata only: never a file name, its text or anything read from it.

const Kind = v.picklist(['pdf', 'jpeg', 'png', 'dicom', 'text']);
const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const DocumentUploadedV1 = defineEvent(
  'document.uploaded.v1',
  'A record was uploaded to a case and verified (size, sha256, kind detected from its bytes); its bytes wait at blobKey (stagedUploadKey) until the documents pipeline seals them under the owner\'s key at documentStorage.original.',
  v.object({
    caseId: v.string(),
    ownerId: v.string(),
    documentId: v.string(),
    kind: Kind,
    contentType: v.string(),
    size: Count,
    sha256: Sha256,
    blobKey: v.string(),
  }),
);

export const DocumentProcessedV1 = defineEvent(
  'document.processed.v1',
  'A record was read: text extracted (PDF, OCR) or DICOM metadata read; the text (and a de-identified DICOM copy) are stored encrypted under the owner\'s key; language is a BCP 47 guess or "und".',
  v.object({
    caseId: v.string(),
    ownerId: v.string(),
    documentId: v.string(),
    kind: Kind,
    pages: Count,
    characters: Count,
    language: v.string(),
    textBlobKey: v.optional(v.string()),
    /** DICOM only: the PS3.15 Basic-Profile de-identified copy. */
    deidentifiedBlobKey: v.optional(v.string()),
  }),
);

export const DocumentFailedV1 = defineEvent(
  'document.failed.v1',
  'A record could not be read (unsupported, corrupt, mismatched type, or reading it outlived its deadline: timeout); reason is a code, never its content.',
  v.object({
    caseId: v.string(),
    documentId: v.string(),
    reason: v.picklist(['unsupported-kind', 'type-mismatch', 'corrupt', 'encrypted', 'too-large', 'unreadable', 'timeout']),
  }),
);

/** One stored form of a document: its object key and the context it is sealed under with the owner's data key. */
export interface StoredForm {
  key: string;
  context: string;
}

/**
 * Where the client's PUT puts a record's bytes: plaintext, so only until the documents pipeline has sealed them
 * (or the intent is refused or abandoned, when cases deletes them). Under the owner's id: a key made from the
 * caller's own id can only ever name the caller's uploads, and one prefix holds all of a person's.
 *
 * @example
 * await blobs.delete(stagedUploadKey({ ownerId, caseId, documentId }));
 */
export const stagedUploadKey = (at: { ownerId: string; caseId: string; documentId: string }) => `uploads/${at.ownerId}/${at.caseId}/${at.documentId}`;

/**
 * Where a document's encrypted forms live and what each is bound to — the storage contract between cases (which
 * verifies an upload and reads the original back for downloads) and documents (which seals the staged upload as the
 * original at its first read, and stores the text and the de-identified copy). Every form is
 * `sealBytes(ownerKey, bytes, context)` from shared/keyring.
 *
 * @example
 * const { key, context } = documentStorage.text(caseId, documentId);
 */
export const documentStorage = {
  original: (caseId: string, documentId: string): StoredForm => ({ key: `cases/${caseId}/documents/${documentId}.original`, context: `document:${documentId}` }),
  text: (caseId: string, documentId: string): StoredForm => ({ key: `cases/${caseId}/documents/${documentId}.text`, context: `document-text:${documentId}` }),
  deidentified: (caseId: string, documentId: string): StoredForm => ({
    key: `cases/${caseId}/documents/${documentId}.deidentified`,
    context: `document-deidentified:${documentId}`,
  }),
};

export const DocumentReadV1 = defineEvent(
  'document.read.v1',
  'Someone read a document of a case: its metadata (and a download link) or its content. The audit trail of health-data access.',
  v.object({
    caseId: v.string(),
    documentId: v.string(),
    actorId: v.string(),
    actorRole: v.picklist(['patient', 'professional', 'ops']),
    what: v.picklist(['metadata', 'content']),
  }),
);
