import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { documentStorage } from '../../events/documents.ts';
import { FsBlobStore } from '../../shared/blob/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { createKeyring, localKeyWrapper, sealBytes } from '../../shared/keyring/index.ts';
import { readDocumentText } from './document-text.ts';

after(() => closeDb());

test('reads the text documents sealed under the owner key; nothing for a shredded key, a missing blob or another context', async () => {
  const blobs = new FsBlobStore({ root: await mkdtemp(join(tmpdir(), 'ai-text-')), urlPrefix: 'http://localhost/_blob', secret: 'a'.repeat(32) });
  const keyring = createKeyring(localKeyWrapper(randomBytes(32)));
  const [caseId, documentId, ownerId] = [randomUUID(), randomUUID(), randomUUID()];
  const { key: blobKey, context } = documentStorage.text(caseId, documentId);
  const key = await keyring.keyFor(db(), ownerId);
  await blobs.put(blobKey, sealBytes(key, new TextEncoder().encode('Known atrial fibrillation.'), context), 'application/octet-stream');
  const deps = { blobs, keyring, sql: db() };
  const ref = { caseId, documentId, ownerId, textBlobKey: blobKey };

  assert.equal(await readDocumentText(ref, deps), 'Known atrial fibrillation.');
  assert.equal(await readDocumentText({ ...ref, documentId: randomUUID() }, deps), null, 'another document context');
  assert.equal(await readDocumentText({ ...ref, textBlobKey: `${blobKey}.missing` }, deps), null);
  assert.equal(await readDocumentText({ ...ref, textBlobKey: null }, deps), null);
  await keyring.shred(db(), ownerId);
  assert.equal(await readDocumentText(ref, deps), null, 'erased: unreadable');
});
