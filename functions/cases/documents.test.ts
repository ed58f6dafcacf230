import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { documentStorage, stagedUploadKey } from '../../events/documents.ts';
import { createBlobStore, FsBlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { createKeyring, keyring, localKeyWrapper, sealBytes } from '../../shared/keyring/index.ts';
import { eventually } from '../../test/support/runtime.ts';
import { purgeAbandonedUploads } from './documents.ts';
import { signLink } from './links.ts';
import { caseEvents, casesRuntime, intentFor, newCaseBody, putUpload, signedInOps, signedInPatient, type Client } from './testing.ts';

type Problem = { type: string; status: number; errors?: { pointer: string }[] };
type Intent = { id: string; uploadUrl: string; uploadMethod: string; uploadHeaders: Record<string, string> };

const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const json = async <T>(res: Response) => (await res.json()) as T;
const blobs = () => createBlobStore(config());

describe('case documents', () => {
  let harness: Awaited<ReturnType<typeof casesRuntime>>;
  let api: Client;
  before(async () => {
    harness = await casesRuntime();
    api = harness.api;
  });
  after(async () => {
    await harness?.close();
    await closeDb();
  });

  async function draft(token: string): Promise<string> {
    const res = await api.post('/v1/cases', newCaseBody(), token);
    assert.equal(res.status, 201);
    return (await json<{ id: string }>(res)).id;
  }

  async function intent(caseId: string, token: string, body: Record<string, unknown>): Promise<Response> {
    return api.post(`/v1/cases/${caseId}/documents`, body, token);
  }

  async function upload(caseId: string, token: string, bytes: Uint8Array, contentType: string, sent: Uint8Array = bytes) {
    const res = await intent(caseId, token, intentFor(bytes, contentType));
    assert.equal(res.status, 201, await res.clone().text());
    const created = await json<Intent>(res);
    assert.equal(created.uploadMethod, 'PUT');
    const put = await putUpload(created, sent);
    assert.ok(put.ok, `PUT answered ${put.status}`);
    return { id: created.id, complete: await api.post(`/v1/cases/${caseId}/documents/${created.id}/complete`, undefined, token) };
  }

  it('verifies an upload, announces it, and answers its bytes through an audited link — before and after documents seals it', async () => {
    const patient = await signedInPatient(api);
    const caseId = await draft(patient.token);
    const { id, complete } = await upload(caseId, patient.token, PDF, 'application/pdf');
    assert.equal(complete.status, 200, await complete.clone().text());
    assert.equal((await json<{ status: string }>(complete)).status, 'uploaded');
    const staged = stagedUploadKey({ ownerId: patient.id, caseId, documentId: id });
    assert.deepEqual(await blobs().get(staged), PDF, 'the verified bytes wait where they were PUT, for the documents pipeline');

    const read = await api.get(`/v1/cases/${caseId}/documents/${id}`, patient.token);
    assert.equal(read.status, 200);
    const view = await json<{ filename: string; kind: string; size: number; downloadUrl: string }>(read);
    assert.deepEqual([view.filename, view.kind, view.size], ['jane-doe-scan.pdf', 'pdf', PDF.length]);
    const download = () => api.get(new URL(view.downloadUrl).pathname + new URL(view.downloadUrl).search);
    const content = await download();
    assert.equal(content.status, 200);
    assert.deepEqual(new Uint8Array(await content.arrayBuffer()), PDF);
    assert.match(content.headers.get('content-disposition') ?? '', /jane-doe-scan\.pdf/);

    // What the documents pipeline does at its first read (events/documents.ts): seal as the original, drop the plaintext.
    const stored = documentStorage.original(caseId, id);
    const key = await keyring().existingKey(db(), patient.id);
    await blobs().put(stored.key, sealBytes(key!, PDF, stored.context), 'application/octet-stream');
    await blobs().delete(staged);
    const sealed = await download();
    assert.equal(sealed.status, 200);
    assert.deepEqual(new Uint8Array(await sealed.arrayBuffer()), PDF, 'the sealed original, opened with the owner key');

    const events = await caseEvents(caseId);
    const uploaded = events.find((e) => e.type === 'document.uploaded.v1');
    assert.deepEqual(uploaded?.data, { caseId, ownerId: patient.id, documentId: id, kind: 'pdf', contentType: 'application/pdf', size: PDF.length, sha256: intentFor(PDF, '').sha256, blobKey: staged });
    assert.deepEqual(events.filter((e) => e.type === 'document.read.v1').map((e) => e.data.what), ['metadata', 'content', 'content']);
    assert.ok(!JSON.stringify(events).includes('jane-doe'), 'no file name in events');

    const tampered = new URL(view.downloadUrl);
    tampered.searchParams.set('actor', 'someone-else');
    assert.equal((await api.get(tampered.pathname + tampered.search)).status, 403);
    const expired = signLink(config().platformSecret, { caseId, documentId: id, actorId: patient.id, actorRole: 'patient', expires: Math.floor(Date.now() / 1000) - 1 });
    const late = await api.get(`/v1/cases/${caseId}/documents/${id}/content?${expired}`);
    assert.equal(late.status, 403);
    assert.match((await json<Problem>(late)).type, /link-expired$/, 'the link is short-lived');
  });

  it('refuses unaccepted, empty and oversized files at the intent, before anything is stored', async () => {
    const patient = await signedInPatient(api);
    const caseId = await draft(patient.token);
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ ...intentFor(PDF, 'application/zip') }, 415, '/contentType'],
      [{ ...intentFor(PDF, 'application/pdf'), size: 0 }, 422, '/size'],
      [{ ...intentFor(PDF, 'application/pdf'), size: config().documents.maxBytes + 1 }, 413, '/size'],
      [{ ...intentFor(PDF, 'application/pdf'), sha256: 'nope' }, 400, '/sha256'],
    ];
    for (const [body, status, pointer] of refusals) {
      const res = await intent(caseId, patient.token, body);
      assert.equal(res.status, status, pointer);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      assert.ok((await json<Problem>(res)).errors?.some((e) => e.pointer === pointer), pointer);
    }
    const [row] = await db()<{ n: number }[]>`select count(*)::int as n from cases.documents where case_id = ${caseId}`;
    assert.equal(row!.n, 0);
  });

  for (const [what, declared, sent, status, type] of [
    ['a SHA-256 mismatch', PDF, Uint8Array.from([...PDF.slice(0, -1), 0x21]), 422, 'checksum-mismatch'],
    ['a PNG declared as a PDF', PNG, PNG, 415, 'type-mismatch'],
  ] as const) {
    it(`refuses ${what} at complete (${status}) and keeps neither the row nor any object`, async () => {
      const patient = await signedInPatient(api);
      const caseId = await draft(patient.token);
      const res = await intent(caseId, patient.token, intentFor(declared, 'application/pdf'));
      const created = await json<Intent>(res);
      const put = await putUpload(created, sent);
      if (type === 'checksum-mismatch' && blobs() instanceof FsBlobStore) {
        // The local store checks the SHA-256 signed into the upload URL, as AWS S3 does (s3rver does not).
        assert.equal(put.status, 400);
        assert.equal(await blobs().head(stagedUploadKey({ ownerId: patient.id, caseId, documentId: created.id })), undefined);
        // complete must still catch what a store that does not check would keep.
        await blobs().put(stagedUploadKey({ ownerId: patient.id, caseId, documentId: created.id }), sent, 'application/pdf');
      } else {
        assert.ok(put.ok, `PUT answered ${put.status}`);
      }
      const complete = await api.post(`/v1/cases/${caseId}/documents/${created.id}/complete`, undefined, patient.token);
      assert.equal(complete.status, status);
      assert.match((await json<Problem>(complete)).type, new RegExp(`${type}$`));
      assert.equal((await api.get(`/v1/cases/${caseId}/documents/${created.id}`, patient.token)).status, 404);
      assert.equal(await blobs().head(stagedUploadKey({ ownerId: patient.id, caseId, documentId: created.id })), undefined);
      assert.equal(await blobs().head(documentStorage.original(caseId, created.id).key), undefined);
      assert.ok(!(await caseEvents(caseId)).some((e) => e.type === 'document.uploaded.v1'));
    });
  }

  it('refuses at complete what a store that checks nothing kept: more than the limit (413) or nothing at all (422)', async () => {
    const patient = await signedInPatient(api);
    const { maxBytes } = config().documents;
    const oversized = new Uint8Array(maxBytes + 1);
    oversized.set(PDF);
    for (const [declaredSize, kept, status, type] of [
      [maxBytes, oversized, 413, 'file-too-large'],
      [PDF.length, new Uint8Array(), 422, 'empty-file'],
    ] as const) {
      const caseId = await draft(patient.token);
      const created = await json<Intent>(await intent(caseId, patient.token, { ...intentFor(PDF, 'application/pdf'), size: declaredSize }));
      const staged = stagedUploadKey({ ownerId: patient.id, caseId, documentId: created.id });
      await blobs().put(staged, kept, 'application/pdf');
      const complete = await api.post(`/v1/cases/${caseId}/documents/${created.id}/complete`, undefined, patient.token);
      assert.equal(complete.status, status, type);
      assert.match((await json<Problem>(complete)).type, new RegExp(`${type}$`));
      assert.equal((await api.get(`/v1/cases/${caseId}/documents/${created.id}`, patient.token)).status, 404);
      assert.equal(await blobs().head(staged), undefined);
      assert.ok(!(await caseEvents(caseId)).some((e) => e.type === 'document.uploaded.v1'));
    }
  });

  it('holds the limits of a case under racing intents, and gives the room back when a record is dropped', async () => {
    const patient = await signedInPatient(api);
    const { maxPerCase, maxBytes, maxCaseBytes } = config().documents;
    const room = async (caseId: string) =>
      (await db()<{ documentCount: number; documentBytes: string }[]>`select document_count, document_bytes from cases.cases where id = ${caseId}`)[0]!;

    const crowded = await draft(patient.token);
    const wrong = await json<Intent>(await intent(crowded, patient.token, intentFor(PNG, 'application/pdf')));
    const racing = await Promise.all(Array.from({ length: maxPerCase + 4 }, (_, i) => intent(crowded, patient.token, intentFor(PDF, 'application/pdf', `r${i}.pdf`))));
    const statuses = racing.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, maxPerCase - 1, statuses.join(' '));
    assert.equal(statuses.filter((s) => s === 413).length, 5);
    for (const refused of racing.filter((r) => r.status === 413)) assert.match((await json<Problem>(refused)).type, /too-many-documents$/);
    assert.deepEqual(await room(crowded), { documentCount: maxPerCase, documentBytes: String((maxPerCase - 1) * PDF.length + PNG.length) });

    // A refused upload is forgotten, and its room with it.
    assert.ok((await putUpload(wrong, PNG)).ok);
    assert.equal((await api.post(`/v1/cases/${crowded}/documents/${wrong.id}/complete`, undefined, patient.token)).status, 415);
    assert.equal((await room(crowded)).documentCount, maxPerCase - 1);
    assert.equal((await intent(crowded, patient.token, intentFor(PDF, 'application/pdf'))).status, 201);

    const heavy = await draft(patient.token);
    const fits = Math.floor(maxCaseBytes / maxBytes);
    const big = { ...intentFor(PDF, 'application/pdf'), size: maxBytes };
    const bytesRace = await Promise.all(Array.from({ length: fits + 2 }, () => intent(heavy, patient.token, big)));
    assert.equal(bytesRace.filter((r) => r.status === 201).length, fits);
    for (const refused of bytesRace.filter((r) => r.status !== 201)) {
      assert.equal(refused.status, 413);
      assert.match((await json<Problem>(refused)).type, /case-too-large$/);
    }
    assert.equal(Number((await room(heavy)).documentBytes), fits * maxBytes);
  });

  it('records no intent under a key shredded by another process, though this one remembered it: 409 erased', async () => {
    const patient = await signedInPatient(api);
    const caseId = await draft(patient.token);
    assert.equal((await intent(caseId, patient.token, intentFor(PDF, 'application/pdf'))).status, 201, 'the key is now remembered');
    // Erasure elsewhere (identity shreds the key through its own keyring).
    assert.equal(await createKeyring(localKeyWrapper(randomBytes(32))).shred(db(), patient.id), true);
    const refused = await intent(caseId, patient.token, intentFor(PNG, 'image/png', 'after.png'));
    assert.equal(refused.status, 409);
    assert.match((await json<Problem>(refused)).type, /erased$/);
    const [row] = await db()<{ n: number }[]>`select count(*)::int as n from cases.documents where case_id = ${caseId}`;
    assert.equal(row!.n, 1, 'only the intent made before the erasure');
  });

  it('purge-abandoned-uploads forgets intents never completed within a day, with their plaintext bytes and their room', async () => {
    const patient = await signedInPatient(api);
    const caseId = await draft(patient.token);
    const stale = await json<Intent>(await intent(caseId, patient.token, intentFor(PDF, 'application/pdf', 'stale.pdf')));
    const fresh = await json<Intent>(await intent(caseId, patient.token, intentFor(PNG, 'image/png', 'fresh.png')));
    assert.ok((await putUpload(stale, PDF)).ok);
    await db()`update cases.documents set created_at = now() - interval '25 hours' where id = ${stale.id}`;
    await purgeAbandonedUploads();
    const left = await db()<{ id: string }[]>`select id from cases.documents where case_id = ${caseId}`;
    assert.deepEqual(left.map((d) => d.id), [fresh.id]);
    assert.equal(await blobs().head(stagedUploadKey({ ownerId: patient.id, caseId, documentId: stale.id })), undefined, 'its bytes are gone');
    const [room] = await db()<{ documentCount: number }[]>`select document_count from cases.cases where id = ${caseId}`;
    assert.equal(room!.documentCount, 1, 'and its room given back');
  });

  it('answers 409 to complete before the bytes were PUT, and keeps the intent for a retry', async () => {
    const patient = await signedInPatient(api);
    const caseId = await draft(patient.token);
    const created = await json<Intent>(await intent(caseId, patient.token, intentFor(PDF, 'application/pdf')));
    const early = await api.post(`/v1/cases/${caseId}/documents/${created.id}/complete`, undefined, patient.token);
    assert.equal(early.status, 409);
    assert.ok((await putUpload(created, PDF)).ok);
    const complete = await api.post(`/v1/cases/${caseId}/documents/${created.id}/complete`, undefined, patient.token);
    assert.equal(complete.status, 200);
    const again = await api.post(`/v1/cases/${caseId}/documents/${created.id}/complete`, undefined, patient.token);
    assert.equal(again.status, 200, 'completing twice is harmless');
    assert.equal((await caseEvents(caseId)).filter((e) => e.type === 'document.uploaded.v1').length, 1);
  });

  it("hides another patient's case and documents (404) and lets ops with MFA read them", async () => {
    const owner = await signedInPatient(api);
    const other = await signedInPatient(api);
    const caseId = await draft(owner.token);
    const { id } = await upload(caseId, owner.token, PDF, 'application/pdf');
    assert.equal((await intent(caseId, other.token, intentFor(PDF, 'application/pdf'))).status, 404);
    assert.equal((await api.post(`/v1/cases/${caseId}/documents/${id}/complete`, undefined, other.token)).status, 404);
    assert.equal((await api.get(`/v1/cases/${caseId}/documents/${id}`, other.token)).status, 404);
    assert.equal((await api.post(`/v1/cases/${caseId}/submit`, undefined, other.token)).status, 404);
    assert.equal((await api.post(`/v1/cases/${caseId}/cancel`, undefined, other.token)).status, 404);
    const ops = await signedInOps(api);
    assert.equal((await api.get(`/v1/cases/${caseId}/documents/${id}`, ops.token)).status, 200);

    // A pending upload, its bytes PUT: only its owner completes it; the others change nothing.
    const pending = await json<Intent>(await intent(caseId, owner.token, intentFor(PNG, 'image/png', 'x.png')));
    assert.ok((await putUpload(pending, PNG)).ok);
    const complete = (token: string) => api.post(`/v1/cases/${caseId}/documents/${pending.id}/complete`, undefined, token);
    assert.equal((await complete(other.token)).status, 404);
    assert.equal((await complete(ops.token)).status, 403, 'ops see the case but do not upload');
    assert.equal((await intent(caseId, ops.token, intentFor(PDF, 'application/pdf'))).status, 403);
    const [row] = await db()<{ status: string }[]>`select status from cases.documents where id = ${pending.id}`;
    assert.equal(row?.status, 'pending');
    assert.equal((await complete(owner.token)).status, 200);
    assert.equal((await caseEvents(caseId)).filter((e) => e.type === 'document.uploaded.v1').length, 2);
  });

  it('submits only with an uploaded record and the processing consent, then accepts no more uploads', async () => {
    const patient = await signedInPatient(api);
    const caseId = await draft(patient.token);
    const bare = await api.post(`/v1/cases/${caseId}/submit`, undefined, patient.token);
    assert.equal(bare.status, 422);
    assert.deepEqual((await json<Problem>(bare)).errors?.map((e) => e.pointer), ['/documents', '/consents/processing']);

    assert.equal((await upload(caseId, patient.token, PDF, 'application/pdf')).complete.status, 200);
    const pending = await json<Intent>(await intent(caseId, patient.token, intentFor(PNG, 'image/png', 'x.png')));
    assert.ok((await putUpload(pending, PNG)).ok);
    assert.equal((await api.post('/v1/consents', { purpose: 'processing', version: '2026-01', granted: true }, patient.token)).status, 201);
    await eventually(async () => (await api.post(`/v1/cases/${caseId}/submit`, undefined, patient.token)).status === 200, 10_000, 'submit after the consent arrived');

    const view = await json<{ status: string; documents: { id: string }[]; timeline: { status: string }[] }>(await api.get(`/v1/cases/${caseId}`, patient.token));
    assert.equal(view.status, 'awaiting_payment');
    assert.equal(view.documents.length, 1, 'the intent never completed was dropped');
    assert.equal(await blobs().head(stagedUploadKey({ ownerId: patient.id, caseId, documentId: pending.id })), undefined, 'with its plaintext bytes');
    const submitted = (await caseEvents(caseId)).find((e) => e.type === 'case.submitted.v1');
    assert.equal(submitted?.data.questionCount, 2);
    assert.deepEqual(submitted?.data.documentIds, [view.documents[0]!.id]);
    assert.equal(submitted?.data.patientCountry, 'GB');
    assert.equal((await intent(caseId, patient.token, intentFor(PDF, 'application/pdf'))).status, 409);
    assert.equal((await api.post(`/v1/cases/${caseId}/submit`, undefined, patient.token)).status, 409);
  });
});
