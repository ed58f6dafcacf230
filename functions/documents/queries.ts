import type { Sql, Tx } from '../../shared/db/index.ts';

/** Every statement of the documents schema, one function each; the transaction or client comes first. */

type Db = Sql | Tx;

/** One row of documents.results: what became of one document. */
export interface ResultRow {
  documentId: string;
  caseId: string;
  kind: string;
  status: 'processed' | 'failed';
  reason: string | null;
  pages: number | null;
  characters: number | null;
  language: string | null;
  metadata: Record<string, unknown>;
  processedAt: Date;
}

/** A row to insert; processed_at is the database's. */
export type NewResult = Omit<ResultRow, 'processedAt'>;

/**
 * Records what became of a document, once: false when it was already recorded (the same upload announced twice),
 * so the caller emits nothing the second time.
 *
 * @example
 * if (await insertResult(tx, { documentId, caseId, kind: 'pdf', status: 'failed', reason: 'corrupt', pages: null, characters: null, language: null, metadata: {} })) await emit(…);
 */
export async function insertResult(tx: Tx, row: NewResult): Promise<boolean> {
  const inserted = await tx`
    insert into documents.results ${tx({ ...row, metadata: tx.json(row.metadata as never) })}
    on conflict (document_id) do nothing
    returning document_id`;
  return inserted.length === 1;
}

/**
 * The recorded result of a document, or undefined when it was not processed yet.
 *
 * @example
 * const result = await findResult(db(), documentId);
 */
export async function findResult(sql: Db, documentId: string): Promise<ResultRow | undefined> {
  const [row] = await sql<ResultRow[]>`select * from documents.results where document_id = ${documentId}`;
  return row;
}
