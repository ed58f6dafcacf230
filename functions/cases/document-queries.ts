import type { Sql, Tx } from '../../shared/db/index.ts';
import type { DocumentKind } from '../../shared/blob/detect.ts';
import { DocumentUploadedV1 } from '../../events/documents.ts';
import type { EventData } from '../../events/envelope.ts';
import { outboxInsert } from '../../shared/bus/emit.ts';
import type { SqlCondition } from '../../shared/keyring/index.ts';

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
 * takes that room, in one statement — no transaction, so the intent costs one round trip. The conditions sit in
 * the UPDATE's WHERE, which PostgreSQL re-checks on the case row's latest version when intents race, so the limits
 * hold; the room is given back by a trigger when a record is deleted (migrations/0004_document_room.sql). `keyLive`
 * (the keyring's `SealingKey.live`) keeps a file name sealed under a shredded key from being stored.
 * Answers whether it was recorded and the case as the statement found it (undefined: no such case).
 *
 * @example
 * const { recorded, target } = await reserveDocument(db(), { id, caseId, ownerId, filenameSealed, contentType, declaredKind: 'pdf', size, sha256 }, { maxPerCase: 20, maxCaseBytes: 100e6 }, live);
 */
export async function reserveDocument(
  sql: Db,
  row: { id: string; caseId: string; ownerId: string; filenameSealed: string; contentType: string; declaredKind: DocumentKind; size: number; sha256: string },
  limits: { maxPerCase: number; maxCaseBytes: number },
  keyLive: SqlCondition,
): Promise<{ recorded: boolean; target: IntentTarget | undefined }> {
  const [found] = await sql<(IntentTarget & { recorded: boolean; documentBytes: string })[]>`
    with room as (
      update cases.cases
      set document_count = document_count + 1, document_bytes = document_bytes + ${row.size}
      where id = ${row.caseId} and owner_id = ${row.ownerId} and status = 'draft'
        and document_count < ${limits.maxPerCase} and document_bytes + ${row.size} <= ${limits.maxCaseBytes}
        and ${keyLive}
      returning id
    ), recorded as (
      insert into cases.documents (id, case_id, filename_sealed, content_type, declared_kind, size, sha256)
      select ${row.id}, room.id, ${row.filenameSealed}, ${row.contentType}, ${row.declaredKind}, ${row.size}, ${row.sha256} from room
      returning id
    )
    select owner_id, assigned_professional_id, reviewer_id, status, document_count, document_bytes::text,
           exists (select from recorded) as recorded
    from cases.cases where id = ${row.caseId}`;
  if (!found) return { recorded: false, target: undefined };
  const { recorded, ...target } = found;
  return { recorded, target: { ...target, documentBytes: Number(target.documentBytes) } };
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
 * Completes the caller's pending upload when the bytes found are the ones declared — size, SHA-256, the kind the
 * declared type names: marks it uploaded with that kind and announces it
 * (`document.uploaded.v1`, from `found`), in one statement, atomic without a transaction. Nothing changes, and
 * nothing is announced, for anyone else's document, a mismatch or a document no longer pending (a repeated
 * complete); the caller then explains from `findDocument`. Call `wakeRelay()` after a completion.
 *
 * @example
 * const done = await completeUpload(db(), { caseId, ownerId, documentId, kind: 'pdf', contentType: 'application/pdf', size, sha256, blobKey });
 */
export async function completeUpload(sql: Sql, found: EventData<typeof DocumentUploadedV1>): Promise<boolean> {
  const announce = outboxInsert(sql, DocumentUploadedV1, { source: 'cases', subject: found.caseId, data: found }, sql`exists (select from marked)`);
  const [row] = await sql<{ completed: boolean }[]>`
    with marked as (
      update cases.documents d
      set status = 'uploaded', kind = ${found.kind}, uploaded_at = now()
      from cases.cases c
      where d.id = ${found.documentId} and d.case_id = ${found.caseId} and c.id = d.case_id and c.owner_id = ${found.ownerId}
        and d.status = 'pending' and d.size = ${found.size} and d.sha256 = ${found.sha256} and d.declared_kind = ${found.kind}
      returning d.id
    ), announced as (${announce})
    select exists (select from marked) as completed`;
  return row!.completed;
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
