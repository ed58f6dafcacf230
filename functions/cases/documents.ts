import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { DocumentReadV1, DocumentUploadedV1, documentStorage } from '../../events/documents.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import { createBlobStore, type BlobStore } from '../../shared/blob/index.ts';
import { contentDisposition } from '../../shared/blob/disposition.ts';
import { emit } from '../../shared/bus/emit.ts';
import { config } from '../../shared/config/index.ts';
import { db, transaction, type Tx } from '../../shared/db/index.ts';
import { keyring, open, openBytes, seal, sealBytes } from '../../shared/keyring/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { deleteDocument, documentUsage, findDocument, insertDocument, markUploaded, type DocumentRow } from './document-queries.ts';
import { idParam } from '../../shared/http/ids.ts';
import { signLink, verifyLink } from './links.ts';
import { caseFor } from './access.ts';
import { findCase } from './queries.ts';
import { ACCEPTED_TYPES, essenceOf, verifyUpload } from './uploads.ts';

const UploadIntent = v.object({
  filename: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(255)),
  contentType: v.pipe(v.string(), v.trim(), v.minLength(3), v.maxLength(100)),
  size: v.pipe(v.number(), v.integer(), v.minValue(0)),
  sha256: v.pipe(v.string(), v.toLowerCase(), v.regex(/^[0-9a-f]{64}$/, 'a hex SHA-256 of the file')),
});

const LINK_SECONDS = 300;
/** Where the bytes wait between the presigned PUT and `complete`: plaintext, so only until verified. */
export const stagingKey = (caseId: string, documentId: string) => `uploads/${caseId}/${documentId}`;
export const filenameContext = (documentId: string) => `document-filename:${documentId}`;


let defaultBlobs: BlobStore | undefined;

/** The blob store uploads go to, made on first use. */
export const uploadStore = (): BlobStore => (defaultBlobs ??= createBlobStore(config()));

/**
 * The documents of a case: an upload intent (a presigned PUT), `complete` (verify, encrypt under the owner's key,
 * store, `document.uploaded.v1`), and reading one (metadata plus a short-lived download link; the link decrypts).
 * Every read is audited with `document.read.v1`. A refused upload leaves neither a row nor an object behind.
 *
 * @example
 * app.route('/', documentRoutes());
 */
export function documentRoutes(options: { blobs?: BlobStore; now?: () => number } = {}): Hono {
  const app = new Hono();
  const signedIn = authenticate();
  const blobs = () => options.blobs ?? uploadStore();
  const now = options.now ?? Date.now;

  app.post(
    '/v1/cases/:id/documents',
    describe({ summary: 'Ask to upload a record: answers where to PUT its bytes', tags: ['documents'], audience: 'owner while draft', responses: { 201: 'Upload intent', 413: 'Too large', 415: 'Type not accepted' } }),
    validate('json', UploadIntent),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const body = c.req.valid('json');
      const caseId = idParam(c.req.param('id'));
      const limits = config().documents;
      const id = randomUUID();
      await transaction(async (tx) => {
        const row = await caseFor(tx, principal, caseId, 'document:upload', { forUpdate: true });
        if (row.status !== 'draft') throw new HttpProblem(409, 'case-not-draft', { detail: 'Records can be added only while the case is a draft.' });
        if (!ACCEPTED_TYPES.includes(essenceOf(body.contentType))) {
          throw new HttpProblem(415, 'unsupported-type', { detail: `Accepted types: ${ACCEPTED_TYPES.join(', ')}.`, errors: [{ pointer: '/contentType', message: 'not an accepted type' }] });
        }
        if (body.size === 0) throw new HttpProblem(422, 'empty-file', { detail: 'An empty file cannot be a record.', errors: [{ pointer: '/size', message: 'must be more than 0' }] });
        if (body.size > limits.maxBytes) throw new HttpProblem(413, 'file-too-large', { detail: `A record may have at most ${limits.maxBytes} bytes.`, errors: [{ pointer: '/size', message: `at most ${limits.maxBytes}` }] });
        const usage = await documentUsage(tx, caseId);
        if (usage.count >= limits.maxPerCase) throw new HttpProblem(413, 'too-many-documents', { detail: `A case may hold at most ${limits.maxPerCase} records.` });
        if (usage.bytes + body.size > limits.maxCaseBytes) throw new HttpProblem(413, 'case-too-large', { detail: `A case's records may have at most ${limits.maxCaseBytes} bytes in all.` });
        const key = await keyring().keyFor(tx, row.ownerId);
        await insertDocument(tx, { id, caseId, filenameSealed: seal(key, body.filename, filenameContext(id)), contentType: body.contentType, size: body.size, sha256: body.sha256 });
      });
      const upload = await blobs().presignPut(stagingKey(caseId, id), { contentType: body.contentType, contentLength: body.size });
      return c.json({ id, status: 'pending', uploadUrl: upload.url, uploadMethod: upload.method, uploadHeaders: upload.headers }, 201);
    },
  );

  app.post(
    '/v1/cases/:id/documents/:documentId/complete',
    describe({ summary: 'Confirm an upload: verified, encrypted and stored', tags: ['documents'], audience: 'owner while draft', responses: { 200: '{status: "uploaded"}', 409: 'Nothing was uploaded yet', 413: 'Too large', 415: 'Wrong type', 422: 'Empty, or size or SHA-256 mismatch' } }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = idParam(c.req.param('id'));
      const documentId = idParam(c.req.param('documentId'));
      const { row, document } = await readable(principal, caseId, documentId, 'document:upload');
      if (document.status !== 'pending') return c.json({ id: documentId, status: document.status });
      const staged = stagingKey(caseId, documentId);
      const bytes = await blobs().get(staged);
      if (!bytes) throw new HttpProblem(409, 'upload-missing', { detail: 'Nothing was uploaded to the upload URL yet.' });
      const verdict = verifyUpload(bytes, { size: Number(document.size), sha256: document.sha256, contentType: document.contentType }, config().documents.maxBytes);
      if (!verdict.ok) {
        // A wrong file is forgotten entirely: the client starts again with a new intent.
        await transaction((tx) => deleteDocument(tx, documentId));
        await blobs().delete(staged);
        throw new HttpProblem(verdict.refusal.status, verdict.refusal.type, { detail: verdict.refusal.detail });
      }
      const stored = documentStorage.original(caseId, documentId);
      const key = await keyring().keyFor(db(), row.ownerId);
      // The same key and context on a retry: writing again is harmless, so a crash before the commit below is too.
      await blobs().put(stored.key, sealBytes(key, bytes, stored.context), 'application/octet-stream');
      const status = await transaction(async (tx) => {
        if (!(await markUploaded(tx, documentId, verdict.kind))) return (await findDocument(tx, caseId, documentId))?.status ?? 'uploaded';
        await emit(tx, DocumentUploadedV1, {
          source: 'cases',
          subject: caseId,
          data: { caseId, ownerId: row.ownerId, documentId, kind: verdict.kind, contentType: document.contentType, size: bytes.length, sha256: document.sha256, blobKey: stored.key },
        });
        return 'uploaded';
      });
      await blobs().delete(staged);
      return c.json({ id: documentId, status });
    },
  );

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
      const row = await findCase(db(), caseId);
      const document = row && (await findDocument(db(), caseId, documentId));
      const key = row && (await keyring().existingKey(db(), row.ownerId));
      const stored = documentStorage.original(caseId, documentId);
      const sealed = document && key ? await blobs().get(stored.key) : undefined;
      if (!row || !document || !key || !sealed) throw problems.notFound();
      const bytes = openBytes(key, sealed, stored.context);
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
async function readable(principal: Principal, caseId: string, documentId: string, action: 'document:upload' | 'document:read') {
  const row = await caseFor(db(), principal, caseId, action);
  const document = await findDocument(db(), caseId, documentId);
  if (!document) throw problems.notFound();
  return { row, document };
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
  const purged = await db()<{ id: string; caseId: string }[]>`
    delete from cases.documents
    where status = 'pending' and created_at < now() - make_interval(hours => ${options.olderThanHours ?? 24})
    returning id, case_id`;
  for (const { id, caseId } of purged) await store.delete(stagingKey(caseId, id));
}
