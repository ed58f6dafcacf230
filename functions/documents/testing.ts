import { createHash, randomUUID } from 'node:crypto';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { DocumentUploadedV1, documentStorage, stagedUploadKey, type StoredForm } from '../../events/documents.ts';
import type { EventData } from '../../events/envelope.ts';
import { createBlobStore, S3BlobStore, type BlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { db } from '../../shared/db/index.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { keyring, openBytes, sealBytes } from '../../shared/keyring/index.ts';
import { deliverEvent } from '../../test/support/platform-calls.ts';
import { CONTENT_TYPES, type DocumentKind } from '../../shared/blob/detect.ts';

/** Test helpers: uploads stored exactly as the cases function stores them, and events delivered as the platform does. */

type Uploaded = EventData<typeof DocumentUploadedV1>;


let store: Promise<BlobStore> | undefined;

/**
 * The configured blob store (disk in the embedded profile, s3rver in the services profile) — the one the function
 * uses — with its bucket made, as infra makes it in production.
 *
 * @example
 * const sealed = await (await blobs()).get(documentStorage.text(caseId, documentId).key);
 */
export function blobs(): Promise<BlobStore> {
  return (store ??= (async () => {
    const created = createBlobStore(config());
    if (created instanceof S3BlobStore) await created.ensureBucket();
    return created;
  })());
}

/**
 * Leaves `bytes` as cases leaves a completed upload (plaintext at `stagedUploadKey`, the owner's data key made) and
 * returns the document.uploaded.v1 data announcing it; `kind` is what cases detected. With `sealed`, the bytes are
 * stored as a delivery before would have left them: sealed as the original, nothing staged.
 *
 * @example
 * const upload = await storeUpload(pdfBytes, { kind: 'pdf' });
 */
export async function storeUpload(
  bytes: Uint8Array,
  at: { kind: DocumentKind; ownerId?: string; caseId?: string; documentId?: string; sealed?: boolean },
): Promise<Uploaded> {
  const { kind, ownerId = randomUUID(), caseId = randomUUID(), documentId = randomUUID() } = at;
  const key = await keyring().keyFor(db(), ownerId);
  const staged = stagedUploadKey({ ownerId, caseId, documentId });
  const original = documentStorage.original(caseId, documentId);
  if (at.sealed) await (await blobs()).put(original.key, sealBytes(key, bytes, original.context), 'application/octet-stream');
  else await (await blobs()).put(staged, bytes, CONTENT_TYPES[kind]);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { caseId, ownerId, documentId, kind, contentType: CONTENT_TYPES[kind], size: bytes.length, sha256, blobKey: staged };
}

/**
 * POSTs a document.uploaded.v1 CloudEvent to the function's `/_events`, signed as the platform signs it.
 *
 * @example
 * const res = await deliver(documents, upload); // 200 { status: 'processed' }
 */
export function deliver(fn: ConsiliumFunction, data: Uploaded, id: string = randomUUID()): Promise<Response> {
  return deliverEvent(fn, DocumentUploadedV1, data, { id, source: 'cases', subject: data.caseId });
}

/**
 * The events the documents function wrote to the outbox about a document, in order.
 *
 * @example
 * const [event] = await announced(documentId); // { type: 'document.processed.v1', data: { … } }
 */
export async function announced(documentId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return db()<{ type: string; data: Record<string, unknown> }[]>`
    select type, data from bus.outbox where source = 'documents' and data->>'documentId' = ${documentId} order by seq`;
}

/**
 * Reads and decrypts one stored form of a document with its owner's key; undefined when nothing is stored there.
 *
 * @example
 * const text = (await openStored(ownerId, documentStorage.text(caseId, documentId)))?.toString('utf8');
 */
export async function openStored(ownerId: string, form: StoredForm): Promise<Buffer | undefined> {
  const sealed = await (await blobs()).get(form.key);
  if (!sealed) return undefined;
  return openBytes(await keyring().keyFor(db(), ownerId), sealed, form.context);
}

/**
 * A small hostile PDF: each page's (compressed, a few kilobytes) content stream shows one character `operations`
 * times, which keeps pdf.js's text extraction busy for seconds a page (about 2 µs an operation).
 *
 * @example
 * const bytes = await busyPdf(8, 1_000_000); // ~ 10 kB, ~ 15 s of pdf.js
 */
export async function busyPdf(pages: number, operations: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    page.node.setFontDictionary(PDFName.of('F1'), font.ref);
    const content = doc.context.flateStream(`BT /F1 1 Tf ${'(a) Tj '.repeat(operations)}ET`);
    page.node.set(PDFName.of('Contents'), doc.context.register(content));
  }
  return doc.save();
}
