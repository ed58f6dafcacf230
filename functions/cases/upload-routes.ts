import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { stagedUploadKey } from '../../events/documents.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize, decide } from '../../shared/auth/policy.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import type { BlobStore } from '../../shared/blob/index.ts';
import { CONTENT_TYPES, kindDeclaredBy } from '../../shared/blob/detect.ts';
import { wakeRelay } from '../../shared/bus/signal.ts';
import { config } from '../../shared/config/index.ts';
import { db } from '../../shared/db/index.ts';
import { keyring, KeyShreddedError, seal } from '../../shared/keyring/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { idParam } from '../../shared/http/ids.ts';
import { caseFor } from './access.ts';
import { completeUpload, deleteDocument, reserveDocument, type IntentTarget } from './document-queries.ts';
import { filenameContext, readable, uploadStore } from './documents.ts';
import { findCase } from './queries.ts';
import { ACCEPTED_TYPES, inspectUpload, verifyUpload } from './uploads.ts';

const UploadIntent = v.object({
  filename: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(255)),
  contentType: v.pipe(v.string(), v.trim(), v.minLength(3), v.maxLength(100)),
  size: v.pipe(v.number(), v.integer(), v.minValue(0)),
  sha256: v.pipe(v.string(), v.toLowerCase(), v.regex(/^[0-9a-f]{64}$/, 'a hex SHA-256 of the file')),
});

/**
 * Uploading a record: an intent (the case's room taken and the intent recorded in one database call; a presigned PUT
 * that signs the declared size, type and SHA-256), then `complete` (the staged bytes read once, checked, recorded and
 * announced with `document.uploaded.v1` in one call). The documents pipeline seals the bytes under the owner's key
 * at its first read (events/documents.ts). A refused upload leaves neither a row nor an object behind.
 *
 * @example
 * app.route('/', uploadRoutes());
 */
export function uploadRoutes(options: { blobs?: BlobStore } = {}): Hono {
  const app = new Hono();
  const signedIn = authenticate();
  const blobs = () => options.blobs ?? uploadStore();

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
      const declaredKind = kindDeclaredBy(body.contentType);
      if (!declaredKind) {
        throw new HttpProblem(415, 'unsupported-type', { detail: `Accepted types: ${ACCEPTED_TYPES.join(', ')}.`, errors: [{ pointer: '/contentType', message: 'not an accepted type' }] });
      }
      if (body.size === 0) throw new HttpProblem(422, 'empty-file', { detail: 'An empty file cannot be a record.', errors: [{ pointer: '/size', message: 'must be more than 0' }] });
      if (body.size > limits.maxBytes) throw new HttpProblem(413, 'file-too-large', { detail: `A record may have at most ${limits.maxBytes} bytes.`, errors: [{ pointer: '/size', message: `at most ${limits.maxBytes}` }] });
      await ownersOnly(principal, caseId);
      const id = randomUUID();
      // The owner is the caller (the statement below checks it), so their key seals the file name.
      const key = await notErased(keyring().sealingKeyFor(db(), principal.id));
      const filenameSealed = seal(key, body.filename, filenameContext(id));
      const row = { id, caseId, ownerId: principal.id, filenameSealed, contentType: body.contentType, declaredKind, size: body.size, sha256: body.sha256 };
      const staged = stagedUploadKey({ ownerId: principal.id, caseId, documentId: id });
      // Signed while the statement runs (signing is local work); unless the intent is recorded, the URL is dropped unseen.
      const [{ recorded, target }, upload] = await Promise.all([
        reserveDocument(db(), row, limits),
        blobs().presignPut(staged, { contentType: body.contentType, contentLength: body.size, sha256: body.sha256 }),
      ]);
      if (!recorded) throw await refusedIntent(principal, caseId, target, body.size, limits);
      return c.json({ id, status: 'pending', uploadUrl: upload.url, uploadMethod: upload.method, uploadHeaders: upload.headers }, 201);
    },
  );

  app.post(
    '/v1/cases/:id/documents/:documentId/complete',
    describe({ summary: 'Confirm an upload: its bytes verified and recorded (sealed under the owner\'s key by the documents pipeline)', tags: ['documents'], audience: 'owner while draft', responses: { 200: '{status: "uploaded"}', 409: 'Nothing was uploaded yet', 413: 'Too large', 415: 'Wrong type', 422: 'Empty, or size or SHA-256 mismatch' } }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = idParam(c.req.param('id'));
      const documentId = idParam(c.req.param('documentId'));
      await ownersOnly(principal, caseId, documentId);
      // Read before the database is asked: the key is made from the caller's own id, so it names only their uploads.
      // Read as it streams by, never held whole (up to DOCUMENT_MAX_BYTES each, for every complete at once).
      const staged = stagedUploadKey({ ownerId: principal.id, caseId, documentId });
      const maxBytes = config().documents.maxBytes;
      const stream = await blobs().stream(staged);
      const facts = stream && (await inspectUpload(stream, maxBytes));
      if (facts && !facts.tooLarge && facts.kind) {
        const { kind, size, sha256 } = facts;
        const found = { caseId, ownerId: principal.id, documentId, kind, contentType: CONTENT_TYPES[kind], size, sha256, blobKey: staged };
        if (await completeUpload(db(), found)) {
          wakeRelay();
          return c.json({ id: documentId, status: 'uploaded' });
        }
      }
      // Not completed: someone else's or an unknown document (404), one completed before, nothing uploaded yet, or a
      // wrong file — which is forgotten entirely, bytes and all: the client starts again with a new intent.
      const { document } = await readable(principal, caseId, documentId, 'document:upload');
      if (document.status !== 'pending') return c.json({ id: documentId, status: document.status });
      if (!facts) throw new HttpProblem(409, 'upload-missing', { detail: 'Nothing was uploaded to the upload URL yet.' });
      const verdict = verifyUpload(facts, { size: Number(document.size), sha256: document.sha256, contentType: document.contentType }, maxBytes);
      // Right bytes, yet not completed: another request changed this upload in between (completed or refused it).
      if (verdict.ok) throw new HttpProblem(409, 'upload-conflict', { detail: 'Another request changed this upload meanwhile; ask for it again.' });
      await deleteDocument(db(), documentId);
      await blobs().delete(staged);
      throw new HttpProblem(verdict.refusal.status, verdict.refusal.type, { detail: verdict.refusal.detail });
    },
  );

  return app;
}

/**
 * Uploading is the owner's alone (the policy), and the statements of the upload routes take the caller as the owner:
 * a caller who could not upload to a case of their own gets the policy's answer for this case (403 or 404) here,
 * before anything is made or read for them.
 */
async function ownersOnly(principal: Principal, caseId: string, documentId?: string): Promise<void> {
  if (decide(principal, 'document:upload', { ownerId: principal.id }).allowed) return;
  if (documentId) await readable(principal, caseId, documentId, 'document:upload');
  else await caseFor(db(), principal, caseId, 'document:upload');
  throw problems.notFound();
}

/**
 * Why an upload intent was not recorded, from the case as it was after the attempt: someone else's (404), no longer
 * a draft (409) or full (413). When it shows no reason, an intent racing this one changed the case in between: the
 * case is read again to explain.
 */
async function refusedIntent(principal: Principal, caseId: string, seen: IntentTarget | undefined, size: number, limits: { maxPerCase: number; maxCaseBytes: number }): Promise<HttpProblem> {
  for (const target of [seen, await findCase(db(), caseId)]) {
    if (!target) return problems.notFound();
    authorize(principal, 'document:upload', target);
    if (target.status !== 'draft') return new HttpProblem(409, 'case-not-draft', { detail: 'Records can be added only while the case is a draft.' });
    if (target.documentCount >= limits.maxPerCase) return new HttpProblem(413, 'too-many-documents', { detail: `A case may hold at most ${limits.maxPerCase} records.` });
    if (Number(target.documentBytes) + size > limits.maxCaseBytes) {
      return new HttpProblem(413, 'case-too-large', { detail: `A case's records may have at most ${limits.maxCaseBytes} bytes in all.` });
    }
  }
  // Or the key this process remembered was shredded since (the statement stores nothing under a shredded key).
  await notErased(keyring().keyFor(db(), principal.id));
  return new HttpProblem(409, 'case-changed', { detail: 'The case changed while the record was being added; try again.' });
}

/** What `pending` answers; an account whose key was shredded (erased) is told so (409). */
async function notErased<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof KeyShreddedError) throw new HttpProblem(409, 'erased', { detail: "This account's data was erased." });
    throw error;
  }
}
