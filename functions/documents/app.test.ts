import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { documentStorage } from '../../events/documents.ts';
import { S3BlobStore } from '../../shared/blob/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { keyring } from '../../shared/keyring/index.ts';
import documents, { createDocuments } from './app.ts';
import { detectKind } from '../../shared/blob/detect.ts';
import { readDicomMetadata } from './dicom.ts';
import { makeDicom, PATIENT } from './dicom-sample.ts';
import { closeOcr } from './ocr.ts';
import { findResult } from './queries.ts';
import { closeExtractionWorkers, extractionWorkers } from './extract-worker.ts';
import { announced, blobs, busyPdf, deliver, openStored, storeUpload } from './testing.ts';

after(async () => {
  await closeExtractionWorkers();
  await closeOcr();
  await closeDb();
});

const scan = () => readFile(new URL('./fixtures/scanned-report.png', import.meta.url));

async function pdf(pages: (string[] | 'scan')[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const content of pages) {
    const page = doc.addPage([595, 842]);
    if (content === 'scan') {
      const image = await doc.embedPng(await scan());
      const height = (image.height / image.width) * 515;
      page.drawImage(image, { x: 40, y: 842 - 40 - height, width: 515, height });
    } else {
      content.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
    }
  }
  return doc.save();
}

async function processed(upload: { documentId: string }) {
  const events = await announced(upload.documentId);
  assert.equal(events.length, 1, 'exactly one event per document');
  assert.equal(events[0]!.type, 'document.processed.v1');
  return events[0]!.data;
}

async function failedWith(upload: { documentId: string }, reason: string) {
  const events = await announced(upload.documentId);
  assert.deepEqual(events.map((e) => [e.type, e.data.reason]), [['document.failed.v1', reason]]);
  const row = await findResult(db(), upload.documentId);
  assert.deepEqual([row?.status, row?.reason], ['failed', reason]);
}

const stored = async (upload: { ownerId: string; caseId: string; documentId: string }) =>
  (await openStored(upload.ownerId, documentStorage.text(upload.caseId, upload.documentId)))?.toString('utf8');

describe('documents: document.uploaded.v1 → processed or failed', () => {
  it('extracts the text of a PDF, stores it sealed under the owner`s key, and announces it', async () => {
    const bytes = await pdf([
      ['Discharge summary', 'The patient was admitted with chest pain and a history of hypertension.'],
      ['Medication: metformin 500 mg twice daily, to be taken with food.'],
    ]);
    const upload = await storeUpload(bytes, { kind: 'pdf' });
    const res = await deliver(documents, upload);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'processed' });

    const data = await processed(upload);
    const text = await stored(upload);
    assert.match(text!, /admitted with chest pain[\s\S]*metformin 500 mg/);
    const textKey = documentStorage.text(upload.caseId, upload.documentId).key;
    assert.deepEqual(data, {
      caseId: upload.caseId, ownerId: upload.ownerId, documentId: upload.documentId, kind: 'pdf',
      pages: 2, characters: text!.length, language: 'en', textBlobKey: textKey,
    });
    const raw = Buffer.from((await (await blobs()).get(textKey))!);
    assert.equal(raw.indexOf('metformin'), -1, 'the stored object is ciphertext');
    assert.equal(raw.indexOf('hypertension'), -1);
    const row = await findResult(db(), upload.documentId);
    assert.deepEqual([row?.status, row?.pages, row?.characters, row?.language, row?.caseId], ['processed', 2, text!.length, 'en', upload.caseId]);
  });

  it('reads a scanned page image with OCR, and the scanned page of a PDF beside its text page', async () => {
    const image = await storeUpload(new Uint8Array(await scan()), { kind: 'png' });
    assert.equal((await deliver(documents, image)).status, 200);
    assert.equal((await processed(image)).pages, 1);
    const ocr = await stored(image);
    for (const word of ['Radiology', 'pneumonia', 'cardiomegaly']) assert.match(ocr!, new RegExp(`\\b${word}\\b`));

    const mixed = await storeUpload(await pdf([['Cover letter from the referring general practitioner'], 'scan']), { kind: 'pdf' });
    assert.equal((await deliver(documents, mixed)).status, 200);
    assert.equal((await processed(mixed)).pages, 2);
    const text = await stored(mixed);
    assert.match(text!, /Cover letter[\s\S]*cardiomegaly/);
    assert.deepEqual((await findResult(db(), mixed.documentId))?.metadata, { scannedPages: 1, ocrPages: 1, ocrSkippedPages: 0 });
  });

  it('records DICOM clinical metadata and stores a de-identified copy holding none of the patient`s values', async () => {
    const uids = { study: '1.2.826.0.1.3680043.2.1125.1', series: '1.2.826.0.1.3680043.2.1125.2', sop: '1.2.826.0.1.3680043.2.1125.3', frameOfReference: '1.2.826.0.1.3680043.2.1125.4' };
    const upload = await storeUpload(makeDicom(uids), { kind: 'dicom' });
    assert.equal((await deliver(documents, upload)).status, 200);

    const data = await processed(upload);
    const copyForm = documentStorage.deidentified(upload.caseId, upload.documentId);
    assert.equal(data.deidentifiedBlobKey, copyForm.key);
    const row = await findResult(db(), upload.documentId);
    assert.deepEqual(
      [row?.metadata.modality, row?.metadata.bodyPartExamined, row?.metadata.studyDescription, row?.metadata.studyDate],
      ['CT', 'CHEST', 'CT THORAX WITH CONTRAST', PATIENT.studyDate],
    );
    assert.match((await stored(upload))!, /Modality: CT\nBody part examined: CHEST/);

    const copy = (await openStored(upload.ownerId, copyForm))!;
    assert.equal(detectKind(copy), 'dicom');
    assert.equal(readDicomMetadata(copy).modality, 'CT');
    const latin1 = copy.toString('latin1');
    const values = [...Object.values(PATIENT), ...Object.values(uids), ...PATIENT.name.split('^'), 'Quixote', 'Panza'];
    for (const value of values) assert.equal(latin1.includes(value), false, `${value} is gone from the copy`);
    assert.equal(Buffer.from((await (await blobs()).get(copyForm.key))!).indexOf('CHEST'), -1, 'the stored copy is ciphertext');
  });

  it('reads plain text as is', async () => {
    const upload = await storeUpload(new TextEncoder().encode('\ufeffThe biopsy of the left breast was benign and there is no sign of malignancy.\n'), { kind: 'text' });
    await deliver(documents, upload);
    const data = await processed(upload);
    assert.deepEqual([data.pages, data.language], [1, 'en']);
    assert.equal(await stored(upload), 'The biopsy of the left breast was benign and there is no sign of malignancy.');
  });

  it('fails a corrupt PDF, an encrypted PDF, a mismatched type and an unknown format, each with its reason', async () => {
    const corrupt = await storeUpload(new TextEncoder().encode('%PDF-1.7 and then nothing a reader could use'), { kind: 'pdf' });
    const encrypted = await storeUpload(await encryptedPdf(), { kind: 'pdf' });
    const mismatched = await storeUpload(new Uint8Array(await scan()), { kind: 'pdf' });
    const unknown = await storeUpload(new Uint8Array([0, 1, 2, 3, 0xfe, 0xff, 0]), { kind: 'pdf' });
    const truncatedPng = await storeUpload(new Uint8Array(await scan()).slice(0, 200), { kind: 'png' });
    for (const upload of [corrupt, encrypted, mismatched, unknown, truncatedPng]) assert.equal((await deliver(documents, upload)).status, 200);
    await failedWith(corrupt, 'corrupt');
    await failedWith(encrypted, 'encrypted');
    await failedWith(mismatched, 'type-mismatch');
    await failedWith(unknown, 'unsupported-kind');
    await failedWith(truncatedPng, 'corrupt');
    assert.equal(await (await blobs()).get(documentStorage.text(corrupt.caseId, corrupt.documentId).key), undefined, 'no text stored for a failure');
  });

  it('seals the verified upload as the original under the owner`s key and drops the plaintext; a redelivery reads the sealed original', async () => {
    const bytes = new TextEncoder().encode('Ultrasound of the thyroid: a 9 mm nodule, TI-RADS 3.');
    const upload = await storeUpload(bytes, { kind: 'text' });
    await deliver(documents, upload);
    await processed(upload);
    const original = documentStorage.original(upload.caseId, upload.documentId);
    const sealed = await (await blobs()).get(original.key);
    assert.ok(sealed, 'the original is stored');
    assert.equal(Buffer.from(sealed).indexOf('thyroid'), -1, 'as ciphertext');
    assert.deepEqual(new Uint8Array((await openStored(upload.ownerId, original))!), bytes);
    assert.equal(await (await blobs()).get(upload.blobKey), undefined, 'the plaintext upload is gone');

    // A delivery that finds the original sealed and nothing staged: a redelivery after the first sealed and dropped it.
    const again = await storeUpload(bytes, { kind: 'text', sealed: true });
    await deliver(documents, again);
    assert.match((await stored(again))!, /TI-RADS 3/);
  });

  it('fails with unreadable, storing nothing and dropping the plaintext upload, when the owner`s key was shredded', async () => {
    const upload = await storeUpload(await pdf([['Operative note: uncomplicated laparoscopic cholecystectomy']]), { kind: 'pdf' });
    await keyring().shred(db(), upload.ownerId);
    assert.equal((await deliver(documents, upload)).status, 200);
    await failedWith(upload, 'unreadable');
    assert.equal(await (await blobs()).get(documentStorage.text(upload.caseId, upload.documentId).key), undefined);
    assert.equal(await (await blobs()).get(documentStorage.original(upload.caseId, upload.documentId).key), undefined);
    assert.equal(await (await blobs()).get(upload.blobKey), undefined);
  });

  it('fails unreadable when the upload is gone or its original sealed for another document; corrupt, sealing nothing, when its bytes are not the announced ones', async () => {
    const note = () => new TextEncoder().encode('Dermatology referral: pigmented lesion on the left forearm.');
    const gone = await storeUpload(note(), { kind: 'text' });
    await (await blobs()).delete(gone.blobKey);
    const elsewhere = await storeUpload(note(), { kind: 'text', sealed: true });
    const moved = { ...elsewhere, documentId: randomUUID() }; // same object, but bound to another document's context
    const altered = { ...(await storeUpload(note(), { kind: 'text' })), sha256: 'f'.repeat(64) };
    const sealedAltered = { ...(await storeUpload(note(), { kind: 'text', sealed: true })), sha256: 'f'.repeat(64) };
    for (const upload of [gone, moved, altered, sealedAltered]) assert.equal((await deliver(documents, upload)).status, 200);
    await failedWith(gone, 'unreadable');
    await failedWith(moved, 'unreadable');
    await failedWith(altered, 'corrupt');
    assert.equal(await (await blobs()).get(documentStorage.original(altered.caseId, altered.documentId).key), undefined, 'not sealed');
    assert.equal(await (await blobs()).get(altered.blobKey), undefined, 'and the plaintext dropped');
    await failedWith(sealedAltered, 'corrupt');
  });

  it('fails too-large beyond the limits, sealing the original all the same', async () => {
    const small = createDocuments({ options: { maxBytes: 64 } });
    const big = await storeUpload(new TextEncoder().encode('A note that is longer than sixty-four bytes, which is the limit set here.'), { kind: 'text' });
    await deliver(small, big);
    await failedWith(big, 'too-large');
    assert.ok(await (await blobs()).get(documentStorage.original(big.caseId, big.documentId).key), 'the record is kept, sealed');
    assert.equal(await (await blobs()).get(big.blobKey), undefined);
    const longPdf = await storeUpload(await pdf([['one'], ['two'], ['three']]), { kind: 'pdf' });
    await deliver(createDocuments({ options: { maxPages: 2 } }), longPdf);
    await failedWith(longPdf, 'too-large');
  });

  it('fails timeout, storing nothing, when reading outlives extractionTimeoutMs; the thread is gone, the next document is read', async () => {
    const impatient = createDocuments({ options: { extractionTimeoutMs: 1500 } });
    const hostile = await storeUpload(await busyPdf(8, 1_000_000), { kind: 'pdf' }); // ~ 13 s of pdf.js
    const started = performance.now();
    assert.deepEqual(await (await deliver(impatient, hostile)).json(), { status: 'processed' });
    assert.ok(performance.now() - started < 6000, 'answered soon after the deadline, not once pdf.js was done');
    await failedWith(hostile, 'timeout');
    assert.equal(await (await blobs()).get(documentStorage.text(hostile.caseId, hostile.documentId).key), undefined);
    assert.equal(extractionWorkers(), 0);

    const next = await storeUpload(await pdf([['Cardiology clinic letter: atrial fibrillation, rate controlled.']]), { kind: 'pdf' });
    assert.equal((await deliver(documents, next)).status, 200);
    assert.equal((await processed(next)).pages, 1);
  });

  it('applies a redelivered event, and a second announcement of the same document, once: one row, one event', async () => {
    const upload = await storeUpload(new TextEncoder().encode('Follow-up in six months with a repeat ultrasound.'), { kind: 'text' });
    const id = randomUUID();
    const answers = await Promise.all([deliver(documents, upload, id), deliver(documents, upload, id)]);
    assert.deepEqual(answers.map((r) => r.status), [200, 200]);
    assert.deepEqual(await deliver(documents, upload, id).then((r) => r.json()), { status: 'duplicate' });
    assert.equal((await deliver(documents, upload)).status, 200, 'another event id for the same document');
    assert.equal((await announced(upload.documentId)).length, 1);
    const [rows] = await db()<{ n: number }[]>`select count(*)::int as n from documents.results where document_id = ${upload.documentId}`;
    assert.equal(rows!.n, 1);
  });

  it('answers 500 when the blob store is unreachable (so the event is retried), recording nothing; the retry then succeeds', async () => {
    const unreachable = new S3BlobStore({ endpoint: 'http://127.0.0.1:9', bucket: 'none', region: 'us-east-1', accessKeyId: 'x', secretAccessKey: 'y' });
    const upload = await storeUpload(new TextEncoder().encode('Echocardiogram: normal left ventricular function.'), { kind: 'text' });
    const id = randomUUID();
    const res = await deliver(createDocuments({ blobs: unreachable }), upload, id);
    assert.equal(res.status, 500);
    assert.equal(await findResult(db(), upload.documentId), undefined);
    assert.equal((await announced(upload.documentId)).length, 0);
    assert.equal((await deliver(documents, upload, id)).status, 200);
    assert.match((await stored(upload))!, /normal left ventricular function/);
  });
});

/** A PDF whose trailer names a standard security handler with a user password nobody knows. */
async function encryptedPdf(): Promise<Uint8Array> {
  const { PDFHexString } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  doc.addPage().drawText('Secret', { x: 50, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
  const handler = doc.context.obj({ Filter: 'Standard', V: 1, R: 2, O: PDFHexString.of('11'.repeat(32)), U: PDFHexString.of('22'.repeat(32)), P: -4 });
  doc.context.trailerInfo.Encrypt = doc.context.register(handler);
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of('33'.repeat(16)), PDFHexString.of('33'.repeat(16))]);
  return doc.save({ useObjectStreams: false });
}
