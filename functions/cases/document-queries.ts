import type { Sql, Tx } from '../../shared/db/index.ts';
import type { DocumentKind } from '../../shared/blob/detect.ts';

/** The statements on cases.documents, one function each; the transaction or client comes first. */

type Db = Sql | Tx;

export type DocumentStatus = 'pending' | 'uploaded' | 'processed' | 'failed';

export interface DocumentRow {
  id: string;
  caseId: string;
  filenameSealed: string;
  contentType: string;
  size: string | number;
  sha256: string;
  status: DocumentStatus;
  kind: DocumentKind | null;
  pages: number | null;
  characters: number | null;
  language: string | null;
  failureReason: string | null;
  createdAt: Date;
  uploadedAt: Date | null;
  processedAt: Date | null;
}

/**
 * Records an upload intent (status pending).
 *
 * @example
 * await insertDocument(tx, { id, caseId, filenameSealed, contentType: 'application/pdf', size: 48213, sha256 });
 */
export async function insertDocument(
  tx: Tx,
  row: { id: string; caseId: string; filenameSealed: string; contentType: string; size: number; sha256: string },
): Promise<void> {
  await tx`insert into cases.documents ${tx(row)}`;
}

/**
 * A case's document, or undefined; `forUpdate` locks it until the transaction ends.
 *
 * @example
 * const doc = await findDocument(tx, caseId, documentId, { forUpdate: true });
 */
export async function findDocument(sql: Db, caseId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<DocumentRow | undefined> {
  const [row] = options.forUpdate
    ? await sql<DocumentRow[]>`select * from cases.documents where case_id = ${caseId} and id = ${id} for update`
    : await sql<DocumentRow[]>`select * from cases.documents where case_id = ${caseId} and id = ${id}`;
  return row;
}

/**
 * A case's documents, oldest first.
 *
 * @example
 * const documents = await documentsOf(tx, caseId);
 */
export async function documentsOf(sql: Db, caseId: string): Promise<DocumentRow[]> {
  return sql<DocumentRow[]>`select * from cases.documents where case_id = ${caseId} order by created_at, id`;
}

/**
 * How many documents a case holds and their declared bytes (pending intents count: they reserve room).
 *
 * @example
 * const { count, bytes } = await documentUsage(tx, caseId);
 */
export async function documentUsage(sql: Db, caseId: string): Promise<{ count: number; bytes: number }> {
  const [row] = await sql<{ count: number; bytes: string }[]>`
    select count(*)::int as count, coalesce(sum(size), 0)::text as bytes from cases.documents where case_id = ${caseId}`;
  return { count: row!.count, bytes: Number(row!.bytes) };
}

/**
 * Marks a pending document uploaded with the kind its bytes showed; false when it was not pending any more.
 *
 * @example
 * await markUploaded(tx, documentId, 'pdf');
 */
export async function markUploaded(tx: Tx, id: string, kind: DocumentKind): Promise<boolean> {
  const rows = await tx`update cases.documents set status = 'uploaded', kind = ${kind}, uploaded_at = now() where id = ${id} and status = 'pending' returning id`;
  return rows.length === 1;
}

/**
 * Forgets a refused upload intent.
 *
 * @example
 * await deleteDocument(tx, documentId);
 */
export async function deleteDocument(tx: Tx, id: string): Promise<void> {
  await tx`delete from cases.documents where id = ${id} and status = 'pending'`;
}

/**
 * Records the pipeline's verdict on an uploaded document (processed with its counts, or failed with a reason).
 *
 * @example
 * await recordProcessing(tx, documentId, { status: 'processed', pages: 3, characters: 5120, language: 'en', failureReason: null });
 */
export async function recordProcessing(
  tx: Tx,
  id: string,
  result: { status: 'processed' | 'failed'; pages: number | null; characters: number | null; language: string | null; failureReason: string | null },
): Promise<void> {
  await tx`
    update cases.documents
    set status = ${result.status}, pages = ${result.pages}, characters = ${result.characters}, language = ${result.language},
        failure_reason = ${result.failureReason}, processed_at = now()
    where id = ${id} and status in ('uploaded', 'processed', 'failed')`;
}
