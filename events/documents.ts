import * as v from 'valibot';
import { defineEvent } from './envelope.ts';

// Document events carry ids and metadata only: never a file name, its text or anything read from it.

const Kind = v.picklist(['pdf', 'jpeg', 'png', 'dicom', 'text']);
const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const DocumentUploadedV1 = defineEvent(
  'document.uploaded.v1',
  'A record was uploaded to a case and stored; its kind was detected from its bytes, sha256 is of the stored bytes.',
  v.object({
    caseId: v.string(),
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
  'A record was read: text extracted (PDF, OCR) or DICOM metadata read; language is a BCP 47 guess or "und".',
  v.object({
    caseId: v.string(),
    documentId: v.string(),
    kind: Kind,
    pages: Count,
    characters: Count,
    language: v.string(),
    textBlobKey: v.optional(v.string()),
  }),
);

export const DocumentFailedV1 = defineEvent(
  'document.failed.v1',
  'A record could not be read (unsupported, corrupt, mismatched type); reason is a code, never its content.',
  v.object({
    caseId: v.string(),
    documentId: v.string(),
    reason: v.picklist(['unsupported-kind', 'type-mismatch', 'corrupt', 'encrypted', 'too-large', 'unreadable']),
  }),
);
