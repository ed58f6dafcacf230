import { documentStorage } from '../../events/documents.ts';
import { createBlobStore, type BlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { db, type Sql } from '../../shared/db/index.ts';
import { keyring as sharedKeyring, openBytes, type Keyring } from '../../shared/keyring/index.ts';

/** What identifies a document's extracted text: the facts of its document.processed.v1. */
export interface DocumentTextRef {
  caseId: string;
  documentId: string;
  ownerId: string | null;
  textBlobKey: string | null;
}

/** Reads a document's text; null when there is none to read. Replaced in tests to feed text directly. */
export type TextReader = (ref: DocumentTextRef) => Promise<string | null>;

let blobs: BlobStore | undefined;

/**
 * The extracted text of a document: the blob documents stored at `textBlobKey`, sealed under the owner's data key
 * with the document-text context (events/documents.ts `documentStorage`). Null when the document has no text, the
 * blob is gone, or the owner's key was shredded (erasure) — the case then goes on without it. A store that cannot
 * be reached throws (the caller retries later).
 *
 * @example
 * const text = await readDocumentText({ caseId, documentId, ownerId, textBlobKey });
 */
export async function readDocumentText(
  ref: DocumentTextRef,
  deps: { blobs?: BlobStore; keyring?: Keyring; sql?: Sql } = {},
): Promise<string | null> {
  if (!ref.textBlobKey || !ref.ownerId) return null;
  const store = deps.blobs ?? (blobs ??= createBlobStore(config()));
  const sealed = await store.get(ref.textBlobKey);
  if (!sealed) return null;
  const key = await (deps.keyring ?? sharedKeyring()).existingKey(deps.sql ?? db(), ref.ownerId);
  if (!key) return null;
  try {
    return openBytes(key, sealed, documentStorage.text(ref.caseId, ref.documentId).context).toString('utf8');
  } catch {
    // Sealed under another key or context, or altered: unreadable, never guessed at.
    return null;
  }
}
