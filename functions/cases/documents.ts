import { Hono } from 'hono';
import { DocumentReadV1, documentStorage, stagedUploadKey } from '../../events/documents.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import { createBlobStore, type BlobStore } from '../../shared/blob/index.ts';
import { contentDisposition } from '../../shared/blob/disposition.ts';
import { emit } from '../../shared/bus/emit.ts';
import { config } from '../../shared/config/index.ts';
import { db, transaction, type Tx } from '../../shared/db/index.ts';
import { keyring, open, openBytes } from '../../shared/keyring/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { findCaseDocument, type DocumentRow } from './document-queries.ts';
import { idParam } from '../../shared/http/ids.ts';
import { signLink, verifyLink } from './links.ts';
import { sha256Of } from './uploads.ts';

const LINK_SECONDS = 300;
export const filenameContext = (documentId: string) => `document-filename:${documentId}`;

let defaultBlobs: BlobStore | undefined;

/** The blob store uploads go to, made on first use. */
export const uploadStore = (): BlobStore => (defaultBlobs ??= createBlobStore(config()));

/**
 * Reading a case's documents: metadata plus a short-lived download link, and the bytes through that link (the
 * sealed original, opened with the owner's key). Every read is audited with `document.read.v1`. Uploads: upload-routes.ts.
 *
 * @example
 * app.route('/', documentRoutes());
 */
export function documentRoutes(options: { blobs?: BlobStore; now?: () => number } = {}): Hono {
  const app = new Hono();
  const signedIn = authenticate();
  const blobs = () => options.blobs ?? uploadStore();
  const now = options.now ?? Date.now;

  app.get(
    '/v1/cases/:id/documents/:documentId',
    describe({ summary: 'A record: metadata and a short-lived download link (audited)', tags: ['documents'], audience: 'owner, assigned professional, ops' }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = idParam(c.req.param('id'));
      const documentId = idParam(c.req.param('documentId'));
      const { row, document } = await readable(principal, caseId, documentId, 'document:read');
      const key = await keyring().existingKey(db(), row.ownerId);
      if (!key) throw problems.notFound();
      await transaction((tx) => audit(tx, { id: principal.id, role: principal.role }, caseId, documentId, 'metadata'));
      const expires = Math.floor(now() / 1000) + LINK_SECONDS;
      const link = document.status === 'pending' ? null : signLink(config().platformSecret, { caseId, documentId, actorId: principal.id, actorRole: principal.role, expires });
      return c.json({
        ...documentView(document, open(key, document.filenameSealed, filenameContext(documentId))),
        downloadUrl: link && `${new URL(c.req.url).origin}/v1/cases/${caseId}/documents/${documentId}/content?${link}`,
        downloadExpiresAt: link && new Date(expires * 1000).toISOString(),
      });
    },
  );

  app.get(
    '/v1/cases/:id/documents/:documentId/content',
    describe({ summary: 'The bytes of a record, through a download link (audited)', tags: ['documents'], audience: 'holder of a download link' }),
    async (c) => {
      const caseId = idParam(c.req.param('id'));
      const documentId = idParam(c.req.param('documentId'));
      const verdict = verifyLink(config().platformSecret, caseId, documentId, new URL(c.req.url).searchParams, now() / 1000);
      if (!verdict.ok) throw new HttpProblem(403, verdict.reason === 'expired' ? 'link-expired' : 'link-invalid', { detail: 'Ask for the record again to get a new link.' });
      const found = await findCaseDocument(db(), caseId, documentId);
      const key = found && (await keyring().existingKey(db(), found.case.ownerId));
      const bytes = found && key ? await originalBytes(blobs(), key, found.case.ownerId, found.document) : undefined;
      if (!found || !key || !bytes) throw problems.notFound();
      const { document } = found;
      await transaction((tx) =>
        audit(tx, { id: verdict.link.actorId, role: verdict.link.actorRole }, caseId, documentId, 'content'),
      );
      c.header('content-type', document.contentType);
      c.header('content-disposition', contentDisposition(open(key, document.filenameSealed, filenameContext(documentId))));
      c.header('cache-control', 'private, no-store');
      return c.body(new Uint8Array(bytes));
    },
  );

  return app;
}

/** The case and document when `principal` may act on them; a 404 otherwise (someone else's case, an unknown id). */
export async function readable(principal: Principal, caseId: string, documentId: string, action: 'document:upload' | 'document:read') {
  const found = await findCaseDocument(db(), caseId, documentId);
  if (!found) throw problems.notFound();
  authorize(principal, action, found.case);
  return { row: found.case, document: found.document };
}

/**
 * The bytes of an uploaded record: the original the documents pipeline sealed, or — in the moments before it has —
 * the verified upload where it waits, if its bytes are still the ones verified (the upload URL stays valid for a
 * while, and a store that does not check the signed SHA-256 would keep a second PUT).
 */
async function originalBytes(store: BlobStore, key: Buffer, ownerId: string, document: DocumentRow): Promise<Uint8Array | undefined> {
  if (document.status === 'pending') return undefined;
  const stored = documentStorage.original(document.caseId, document.id);
  const sealed = await store.get(stored.key);
  if (sealed) return openBytes(key, sealed, stored.context);
  const staged = document.status === 'uploaded' ? await store.get(stagedUploadKey({ ownerId, caseId: document.caseId, documentId: document.id })) : undefined;
  return staged && sha256Of(staged) === document.sha256 ? staged : undefined;
}

/** Records a read of a document for the audit trail (`document.read.v1`), in the caller's transaction. */
function audit(tx: Tx, actor: Pick<Principal, 'id' | 'role'>, caseId: string, documentId: string, what: 'metadata' | 'content') {
  return emit(tx, DocumentReadV1, { source: 'cases', subject: caseId, data: { caseId, documentId, actorId: actor.id, actorRole: actor.role, what } });
}

/**
 * A document as the API shows it.
 *
 * @example
 * documentView(row, 'scan.pdf');
 */
export function documentView(row: DocumentRow, filename: string | null) {
  return {
    id: row.id,
    filename,
    contentType: row.contentType,
    kind: row.kind,
    size: Number(row.size),
    sha256: row.sha256,
    status: row.status,
    pages: row.pages,
    characters: row.characters,
    language: row.language,
    ...(row.failureReason ? { failureReason: row.failureReason } : {}),
    createdAt: row.createdAt.toISOString(),
    uploadedAt: row.uploadedAt?.toISOString() ?? null,
  };
}

/**
 * Cron `purge-abandoned-uploads`: upload intents never completed within a day are forgotten, with any bytes that
 * were PUT (plaintext, so they must not linger). Safe to run twice at once: each row is claimed by its delete.
 *
 * @example
 * await purgeAbandonedUploads();
 */
export async function purgeAbandonedUploads(options: { blobs?: BlobStore; olderThanHours?: number } = {}): Promise<void> {
  const store = options.blobs ?? uploadStore();
  const purged = await db()<{ documentId: string; caseId: string; ownerId: string }[]>`
    delete from cases.documents d using cases.cases c
    where c.id = d.case_id and d.status = 'pending' and d.created_at < now() - make_interval(hours => ${options.olderThanHours ?? 24})
    returning d.id as document_id, d.case_id, c.owner_id`;
  for (const upload of purged) await store.delete(stagedUploadKey(upload));
}
