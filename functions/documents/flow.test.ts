import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DocumentUploadedV1 } from '../../events/documents.ts';
import { emit } from '../../shared/bus/emit.ts';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { uniqueName } from '../../test/support/names.ts';
import { eventually, testRuntime } from '../../test/support/runtime.ts';
import { eventTriggers } from '../../triggers/events.ts';
import documents from './app.ts';
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
});
