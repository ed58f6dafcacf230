import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DocumentUploadedV1 } from '../../events/documents.ts';
import { emit } from '../../shared/bus/emit.ts';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { uniqueName } from '../../test/support/names.ts';
import { eventually, testRuntime } from '../../test/support/runtime.ts';
import { eventTriggers } from '../../triggers/events.ts';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import documents, { createDocuments } from './app.ts';
import { ExtractionPool } from './extract-worker.ts';
import { findResult } from './queries.ts';
import { announced, openStored, storeUpload } from './testing.ts';
import { documentStorage } from '../../events/documents.ts';

after(closeDb);

describe('documents in the runtime', () => {
  it('receives document.uploaded.v1 through the outbox and the triggers of triggers/events.ts', async () => {
    const declared = eventTriggers.filter((t) => t.function === 'documents');
    assert.deepEqual(declared.map((t) => t.event), [DocumentUploadedV1.type]);
    const source = uniqueName('cases-test');
    const harness = await testRuntime({ functions: [documents], events: declared, sources: [source] });
    try {
      await harness.runtime.start();
      const upload = await storeUpload(new TextEncoder().encode('Colonoscopy: two small polyps were removed and sent for histology.'), { kind: 'text' });
      await transaction((tx) => emit(tx, DocumentUploadedV1, { source, subject: upload.caseId, data: upload }));
      await eventually(async () => (await findResult(db(), upload.documentId)) !== undefined, 20_000, 'the document processed');
      const events = await announced(upload.documentId);
      assert.deepEqual(events.map((e) => [e.type, e.data.characters]), [['document.processed.v1', 66]]);
      const text = await openStored(upload.ownerId, documentStorage.text(upload.caseId, upload.documentId));
      assert.match(text!.toString('utf8'), /two small polyps/);
    } finally {
      await harness.close();
    }
  });

  it('retries a delivery refused while the extraction queue is full, and processes the document once a place is free', async () => {
    const declared = eventTriggers.filter((t) => t.function === 'documents');
    const pool = new ExtractionPool({ threads: 1, queuePerThread: 0 });
    const source = uniqueName('cases-test');
    // Enough attempts for the refusals that happen before the place is given back: the backoff doubles each time.
    const harness = await testRuntime({ functions: [createDocuments({ pool })], events: declared, sources: [source], maxAttempts: 10 });
    const place = pool.admit(1); // another document holds the only place
    try {
      await harness.runtime.start();
      const doc = await PDFDocument.create();
      doc.addPage().drawText('Gastroenterology: biopsy confirms coeliac disease.', { x: 50, y: 700, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
      const upload = await storeUpload(await doc.save(), { kind: 'pdf' });
      await transaction((tx) => emit(tx, DocumentUploadedV1, { source, subject: upload.caseId, data: upload }));
      await eventually(() => pool.stats().refused > 0, 20_000, 'a delivery refused');
      assert.equal(await findResult(db(), upload.documentId), undefined);

      place.release();
      await eventually(async () => (await findResult(db(), upload.documentId)) !== undefined, 20_000, 'the document processed');
      assert.deepEqual((await announced(upload.documentId)).map((e) => e.type), ['document.processed.v1']);
      const parked = await db()`select 1 from bus.dead_letters where consumer = 'documents' and envelope->'data'->>'documentId' = ${upload.documentId}`;
      assert.equal(parked.length, 0, 'nothing dead-lettered');
    } finally {
      place.release();
      await harness.close();
      await pool.close();
    }
  });
});
