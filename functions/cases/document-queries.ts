import type { Sql, Tx } from '../../shared/db/index.ts';
import type { DocumentKind } from '../../shared/blob/detect.ts';
import { DocumentUploadedV1 } from '../../events/documents.ts';
import type { EventData } from '../../events/envelope.ts';
import { outboxEnvelope } from '../../shared/bus/emit.ts';

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
  /** The kind the declared content type names; the bytes must show the same at completion. */
  declaredKind: DocumentKind;
  /** The kind the bytes showed (null while pending). */
  kind: DocumentKind | null;
  pages: number | null;
  characters: number | null;
  language: string | null;
  failureReason: string | null;
  createdAt: Date;
  uploadedAt: Date | null;
  processedAt: Date | null;
}

/** The case an upload intent is for, as one statement saw it: enough to explain a refusal. */
export interface IntentTarget {
  ownerId: string;
  assignedProfessionalId: string | null;
  reviewerId: string | null;
  status: string;
  documentCount: number;
  documentBytes: number;
}

/**
 * Records an upload intent (status pending) on the owner's draft case if the case's limits leave room for it, and
 * takes that room — one call of `cases.reserve_document` (migrations/0005_upload_functions.sql), no transaction: its
 * UPDATE is re-checked on the case row's latest version when intents race, so the limits hold, and nothing is stored
 * once the owner's key is shredded (the file name was sealed under a key the process may have remembered).
 * Answers whether it was recorded and, when not, the case as it is (undefined: no such case).
 *
 * @example
 * const { recorded, target } = await reserveDocument(db(), { id, caseId, ownerId, filenameSealed, contentType, declaredKind: 'pdf', size, sha256 }, { maxPerCase: 20, maxCaseBytes: 100e6 });
 */
export async function reserveDocument(
  sql: Db,
  row: { id: string; caseId: string; ownerId: string; filenameSealed: string; contentType: string; declaredKind: DocumentKind; size: number; sha256: string },
  limits: { maxPerCase: number; maxCaseBytes: number },
): Promise<{ recorded: boolean; target: IntentTarget | undefined }> {
  const [found] = await sql<{ recorded: boolean; caseOwner: string; caseProfessional: string | null; caseReviewer: string | null; caseStatus: string; caseDocuments: number; caseBytes: string }[]>`
    select * from cases.reserve_document(${row.id}, ${row.caseId}, ${row.ownerId}, ${row.filenameSealed}, ${row.contentType},
      ${row.declaredKind}, ${row.size}, ${row.sha256}, ${limits.maxPerCase}, ${limits.maxCaseBytes})`;
  if (!found) return { recorded: false, target: undefined };
  if (found.recorded) return { recorded: true, target: undefined };
  return {
    recorded: false,
    target: {
      ownerId: found.caseOwner,
      assignedProfessionalId: found.caseProfessional,
      reviewerId: found.caseReviewer,
      status: found.caseStatus,
      documentCount: found.caseDocuments,
      documentBytes: Number(found.caseBytes),
    },
  };
}

/** A document with the facts of its case that decide who may see it. */
export interface CaseDocument {
  case: { ownerId: string; assignedProfessionalId: string | null; reviewerId: string | null; status: string };
  document: DocumentRow;
}

/**
 * A case's document and who the case belongs to, in one statement; undefined when either is unknown.
 *
 * @example
 * const found = await findCaseDocument(db(), caseId, documentId);
 */
export async function findCaseDocument(sql: Db, caseId: string, id: string): Promise<CaseDocument | undefined> {
  const [row] = await sql<(DocumentRow & { caseOwnerId: string; caseProfessionalId: string | null; caseReviewerId: string | null; caseStatus: string })[]>`
    select d.*, c.owner_id as case_owner_id, c.assigned_professional_id as case_professional_id,
           c.reviewer_id as case_reviewer_id, c.status as case_status
    from cases.documents d join cases.cases c on c.id = d.case_id
    where d.case_id = ${caseId} and d.id = ${id}`;
  if (!row) return undefined;
  const { caseOwnerId, caseProfessionalId, caseReviewerId, caseStatus, ...document } = row;
  return { case: { ownerId: caseOwnerId, assignedProfessionalId: caseProfessionalId, reviewerId: caseReviewerId, status: caseStatus }, document };
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
 * Completes the caller's pending upload when the bytes found are the ones declared — size, SHA-256, the kind the
 * declared type names: marks it uploaded with that kind and announces it (`document.uploaded.v1`, from `found`), in
 * one call of `cases.complete_upload` (migrations/0005_upload_functions.sql), atomic without a transaction. Nothing
 * changes, and nothing is announced, for anyone else's document, a mismatch or a document no longer pending (a
 * repeated complete); the caller then explains from `findCaseDocument`. Call `wakeRelay()` after a completion.
 *
 * @example
 * const done = await completeUpload(db(), { caseId, ownerId, documentId, kind: 'pdf', contentType: 'application/pdf', size, sha256, blobKey });
 */
export async function completeUpload(sql: Sql, found: EventData<typeof DocumentUploadedV1>): Promise<boolean> {
  const event = outboxEnvelope(DocumentUploadedV1, { source: 'cases', subject: found.caseId, data: found });
  const [row] = await sql<{ completed: boolean }[]>`
    select cases.complete_upload(${found.documentId}, ${found.caseId}, ${found.ownerId}, ${found.size}, ${found.sha256},
      ${found.kind}, ${sql.json(event as never)}) as completed`;
  return row!.completed;
}

/**
 * Forgets a refused upload intent.
 *
 * @example
 * await deleteDocument(db(), documentId);
 */
export async function deleteDocument(sql: Db, id: string): Promise<void> {
  await sql`delete from cases.documents where id = ${id} and status = 'pending'`;
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
