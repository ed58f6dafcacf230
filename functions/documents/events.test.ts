import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import * as documents from '../../events/documents.ts';
import { DocumentFailedV1, DocumentProcessedV1, DocumentUploadedV1, documentStorage } from '../../events/documents.ts';
import { EVENT_TYPE, isEventDefinition } from '../../events/envelope.ts';

// The module also exports the storage contract beside the events.
const definitions = Object.values(documents as Record<string, unknown>).filter(isEventDefinition);

const uploaded = {
  caseId: 'case-1',
  ownerId: 'owner-1',
  documentId: 'doc-1',
  kind: 'pdf',
  contentType: 'application/pdf',
  size: 1234,
  sha256: 'a'.repeat(64),
  blobKey: 'cases/case-1/documents/doc-1',
};

describe('document events', () => {
  it('are named entity.past-verb.vN and described', () => {
    const types = definitions.map((d) => d.type);
    for (const type of ['document.uploaded.v1', 'document.processed.v1', 'document.failed.v1']) assert.ok(types.includes(type), type);
    assert.ok(types.every((type) => type.startsWith('document.')));
    for (const definition of definitions) {
      assert.match(definition.type, EVENT_TYPE);
      assert.ok(definition.description.length > 10);
    }
  });

  it('accept ids and metadata', () => {
    assert.ok(v.safeParse(DocumentUploadedV1.schema, uploaded).success);
    const processed = { caseId: 'case-1', ownerId: 'owner-1', documentId: 'doc-1', kind: 'png', pages: 1, characters: 87, language: 'en' };
    const failed = { caseId: 'case-1', documentId: 'doc-1', reason: 'type-mismatch' };
    assert.ok(v.safeParse(DocumentProcessedV1.schema, processed).success);
    assert.ok(v.safeParse(DocumentProcessedV1.schema, { ...processed, textBlobKey: 'cases/case-1/text/doc-1' }).success);
    assert.ok(v.safeParse(DocumentProcessedV1.schema, { ...processed, kind: 'dicom', deidentifiedBlobKey: 'k' }).success);
    const { ownerId: _, ...withoutOwner } = processed;
    assert.equal(v.safeParse(DocumentProcessedV1.schema, withoutOwner).success, false);
    assert.ok(v.safeParse(DocumentFailedV1.schema, failed).success);
  });

  it('refuse an unknown kind, a malformed hash, a negative size and a free-text reason', () => {
    assert.equal(v.safeParse(DocumentUploadedV1.schema, { ...uploaded, kind: 'docx' }).success, false);
    assert.equal(v.safeParse(DocumentUploadedV1.schema, { ...uploaded, sha256: 'ABC' }).success, false);
    assert.equal(v.safeParse(DocumentUploadedV1.schema, { ...uploaded, size: -1 }).success, false);
    const failed = { caseId: 'case-1', documentId: 'doc-1', reason: 'Patient Jane Doe: unreadable' };
    assert.equal(v.safeParse(DocumentFailedV1.schema, failed).success, false);
  });

  it('drop any content a publisher adds by mistake', () => {
    const parsed = v.parse(DocumentUploadedV1.schema, { ...uploaded, fileName: 'jane-doe-mri.pdf', text: 'secret' });
    assert.deepEqual(Object.keys(parsed).sort(), Object.keys(uploaded).sort());
  });
});

describe('documentStorage', () => {
  it('gives each form of a document its own key and context, the same every time', () => {
    const forms = [documentStorage.original, documentStorage.text, documentStorage.deidentified].map((f) => f('case-1', 'doc-1'));
    assert.equal(new Set(forms.map((f) => f.key)).size, 3);
    assert.equal(new Set(forms.map((f) => f.context)).size, 3);
    assert.deepEqual(documentStorage.text('case-1', 'doc-1'), documentStorage.text('case-1', 'doc-1'));
    assert.notEqual(documentStorage.text('case-1', 'doc-2').context, documentStorage.text('case-1', 'doc-1').context);
  });
});
