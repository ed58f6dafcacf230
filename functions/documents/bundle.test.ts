import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { documentStorage, DocumentUploadedV1 } from '../../events/documents.ts';
import { toBinaryHttp } from '../../events/envelope.ts';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { config } from '../../shared/config/index.ts';
import { closeDb } from '../../shared/db/index.ts';
import { spawnServer } from '../../test/support/spawn.ts';
import { bundle } from '../../triggers/build.ts';
import { announced, openStored, storeUpload } from './testing.ts';

after(closeDb);

async function scannedLetter(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595, 842]).drawText('Cover letter from the referring general practitioner', { x: 50, y: 780, size: 12, font });
  const image = await doc.embedPng(await readFile(new URL('./fixtures/scanned-report.png', import.meta.url)));
  const height = (image.height / image.width) * 515;
  doc.addPage([595, 842]).drawImage(image, { x: 40, y: 842 - 40 - height, width: 515, height });
  return doc.save();
}

describe('documents in the production bundle', () => {
  it('emits the extraction worker as a file of its own and reads a PDF (OCR included) in it', async () => {
    // Inside the repo, so the external packages (pdf.js, tesseract.js, the canvas) resolve as they do in the image.
    const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
    await mkdir(cache, { recursive: true });
    const outdir = await mkdtemp(join(cache, 'consilium-documents-build-'));
    try {
      await bundle({ 'functions/documents': 'functions/documents/main.ts' }, outdir);
      const entry = join(outdir, 'functions/documents.mjs');
      const role = 'consilium:documents:extract';
      assert.equal((await readFile(entry, 'utf8')).includes(role), false, 'the worker is not inside the entry (which serves HTTP)');
      const chunks = (await readdir(join(outdir, 'chunks'))).filter((f) => f.endsWith('.mjs'));
      const holders = [];
      for (const chunk of chunks) if ((await readFile(join(outdir, 'chunks', chunk), 'utf8')).includes(role)) holders.push(chunk);
      assert.equal(holders.length, 1, 'one chunk is the extraction worker');

      // The secret this process signs platform calls with (a random one unless the environment sets it).
      const { child, port } = await spawnServer([entry], { ...process.env, PORT: '0', PLATFORM_SECRET: config().platformSecret });
      try {
        const upload = await storeUpload(await scannedLetter(), { kind: 'pdf' });
        const { headers, body } = toBinaryHttp({
          specversion: '1.0', id: randomUUID(), source: 'cases', type: DocumentUploadedV1.type, subject: upload.caseId,
          time: new Date().toISOString(), datacontenttype: 'application/json', data: upload,
        });
        const token = await signPlatformToken(config().platformSecret, 'documents');
        const res = await fetch(`http://127.0.0.1:${port}/_events`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body });
        assert.deepEqual([res.status, await res.json()], [200, { status: 'processed' }]);
        assert.deepEqual((await announced(upload.documentId)).map((e) => [e.type, e.data.pages]), [['document.processed.v1', 2]]);
        const text = await openStored(upload.ownerId, documentStorage.text(upload.caseId, upload.documentId));
        assert.match(text!.toString('utf8'), /Cover letter[\s\S]*cardiomegaly/);
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
