import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { documentStorage } from '../../events/documents.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { prometheusName, recordedMetrics, type RecordedMetrics } from '../../shared/telemetry/testing.ts';
import { createDocuments } from './app.ts';
import { closeExtractionWorkers, extractionPool, ExtractionPool } from './extract-worker.ts';
import { EXTRACTION_INSTRUMENTS } from './metrics.ts';
import { METRICS } from '../../infra/observability/metrics.ts';
import { findResult } from './queries.ts';
import { announced, blobs, deliver, storeUpload } from './testing.ts';

const pools: ExtractionPool[] = [];
after(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await closeExtractionWorkers();
  await closeDb();
});

/** A pool of one thread of this test's own, with the queue bound given. */
function poolOf(limits: { queuePerThread?: number; queueBytes?: number }): ExtractionPool {
  const pool = new ExtractionPool({ threads: 1, ...limits });
  pools.push(pool);
  return pool;
}

async function letter(line: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]).drawText(line, { x: 50, y: 780, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save();
}

type Upload = Awaited<ReturnType<typeof storeUpload>>;

/** The delivery changed nothing: the upload still staged as cases left it, nothing sealed, recorded or announced. */
async function untouched(upload: Upload, bytes: Uint8Array, eventId: string): Promise<void> {
  const store = await blobs();
  assert.deepEqual(new Uint8Array((await store.get(upload.blobKey))!), bytes, 'the plaintext upload is still staged');
  assert.equal(await store.get(documentStorage.original(upload.caseId, upload.documentId).key), undefined, 'no original sealed');
  assert.equal(await store.get(documentStorage.text(upload.caseId, upload.documentId).key), undefined, 'no text stored');
  assert.equal(await findResult(db(), upload.documentId), undefined, 'no result row');
  assert.equal((await announced(upload.documentId)).length, 0, 'nothing announced');
  const processed = await db()`select 1 from bus.processed where consumer = 'documents' and event_id = ${eventId}`;
  assert.equal(processed.length, 0, 'the event is not marked processed');
}

/** Delivered again, the document is read: one processed event, the original sealed once, the plaintext gone. */
async function processedOnce(upload: Upload): Promise<void> {
  assert.deepEqual((await announced(upload.documentId)).map((e) => e.type), ['document.processed.v1']);
  assert.equal((await findResult(db(), upload.documentId))?.status, 'processed');
  const store = await blobs();
  assert.ok(await store.get(documentStorage.original(upload.caseId, upload.documentId).key), 'the original is sealed');
  assert.equal(await store.get(upload.blobKey), undefined, 'the plaintext upload is gone');
}

describe('documents: a full extraction queue refuses the delivery for the bus to retry', () => {
  let recorded: RecordedMetrics;
  before(async () => {
    recorded = await recordedMetrics();
  });

  it('answers 503 while the queue is full, reading and writing nothing; delivered again once a place is free, the document is processed', async () => {
    const pool = poolOf({ queuePerThread: 0 });
    const documents = createDocuments({ pool });
    const place = pool.admit(1); // another delivery's document, holding the one place
    const bytes = await letter('Pulmonology letter: mild persistent asthma, inhaled steroids continued.');
    const upload = await storeUpload(bytes, { kind: 'pdf' });
    const eventId = randomUUID();

    const refused = await deliver(documents, upload, eventId);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    assert.equal(refused.headers.get('retry-after'), '2', 'the bus waits, without counting an attempt');
    const problem = (await refused.json()) as { type: string; reason: string };
    assert.deepEqual([problem.type, problem.reason], ['https://consilium.health/problems/extraction-saturated', 'documents']);
    await untouched(upload, bytes, eventId);
    assert.deepEqual(pool.stats(), { threads: 0, busy: 0, queued: 1, queuedBytes: 1, started: 0, refused: 1 });

    place.release();
    const again = await deliver(documents, upload, eventId);
    assert.deepEqual([again.status, await again.json()], [200, { status: 'processed' }]);
    await processedOnce(upload);
    assert.deepEqual(pool.stats(), { threads: 1, busy: 0, queued: 0, queuedBytes: 0, started: 1, refused: 1 });
  });

  it('refuses a document whose bytes would pass the bytes waiting, until those are read; one alone is taken whatever its size', async () => {
    const bytes = await letter('Endocrinology: HbA1c 7.9 %, metformin increased.');
    const pool = poolOf({ queuePerThread: 5, queueBytes: bytes.length });
    const documents = createDocuments({ pool });
    const upload = await storeUpload(bytes, { kind: 'pdf' });
    const eventId = randomUUID();
    const waiting = pool.admit(1);

    const refused = await deliver(documents, upload, eventId);
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { reason: string }).reason, 'bytes');
    await untouched(upload, bytes, eventId);

    waiting.release();
    assert.equal((await deliver(documents, upload, eventId)).status, 200);
    await processedOnce(upload);

    const larger = await storeUpload(await letter('Nephrology: eGFR 48, stage 3a; a longer letter than the bound on the queue.'), { kind: 'pdf' });
    assert.ok(larger.size > bytes.length);
    assert.equal((await deliver(documents, larger)).status, 200);
    await processedOnce(larger);
  });

  it('refuses a redelivery of a document the replica still holds for a delivery before, which then records it once', async () => {
    const pool = poolOf({ queuePerThread: 3 });
    const documents = createDocuments({ pool });
    const bytes = await letter('Rheumatology: seropositive arthritis, methotrexate started.');
    const upload = await storeUpload(bytes, { kind: 'pdf' });
    const eventId = randomUUID();
    const first = pool.admit(upload.size, upload.documentId); // the first delivery, its bytes still being read

    const redelivery = await deliver(documents, upload, eventId);
    assert.equal(redelivery.status, 503);
    assert.equal(((await redelivery.json()) as { reason: string }).reason, 'in-progress');
    await untouched(upload, bytes, eventId);

    first.release();
    assert.equal((await deliver(documents, upload, eventId)).status, 200);
    await processedOnce(upload);
  });

  it('names its instruments as the alerts read them once the collector translates them', () => {
    assert.equal(prometheusName(EXTRACTION_INSTRUMENTS.queued.name, EXTRACTION_INSTRUMENTS.queued.unit, 'gauge'), METRICS.extractionQueued);
    assert.equal(prometheusName(EXTRACTION_INSTRUMENTS.refused.name, EXTRACTION_INSTRUMENTS.refused.unit, 'counter'), METRICS.extractionRefused);
  });

  it('reports the documents and bytes waiting in this replica`s pool, and counts each refusal by reason', async () => {
    const refusedBefore = await recorded.sum(EXTRACTION_INSTRUMENTS.refused.name, { reason: 'documents' });
    const pool = extractionPool({ threads: 1, queuePerThread: 0, queueBytes: 1000 });
    const places = [pool.admit(300)];
    assert.throws(() => pool.admit(1));
    assert.equal(await recorded.sum(EXTRACTION_INSTRUMENTS.queued.name), 1);
    assert.equal(await recorded.sum(EXTRACTION_INSTRUMENTS.queuedBytes.name), 300);
    assert.equal(await recorded.sum(EXTRACTION_INSTRUMENTS.refused.name, { reason: 'documents' }), refusedBefore + 1);
    for (const place of places) place.release();
    assert.equal(await recorded.sum(EXTRACTION_INSTRUMENTS.queued.name), 0);
    assert.equal(await recorded.sum(EXTRACTION_INSTRUMENTS.queuedBytes.name), 0);
  });
});
