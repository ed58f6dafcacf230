import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deidentify, readDicomMetadata, replaceUid } from './dicom.ts';
import { firstString, readDicom } from './dicom-read.ts';
import { makeDicom, PATIENT, type SampleUids } from './dicom-sample.ts';

const secret = 'per-deployment-secret-0123456789abcdef';
const root = '1.2.826.0.1.3680043.2.1125';
const study: SampleUids = {
  study: `${root}.7.1`,
  series: `${root}.7.1.2`,
  sop: `${root}.7.1.2.3`,
  frameOfReference: `${root}.7.9`,
};
// The second file of the same study and series: a different image.
const sibling: SampleUids = { ...study, sop: `${root}.7.1.2.4` };

function contains(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle, 'latin1'));
}

describe('deidentify', () => {
  it('leaves none of the patient values anywhere in the output bytes', () => {
    const original = makeDicom(study);
    const output = deidentify(original, { secret });
    const originals = [...Object.values(PATIENT), ...Object.values(study), `${study.sop}.2`];
    // The check can fail: every value is present before.
    for (const value of originals) assert.ok(contains(original, value), `sample lacks ${value}`);
    for (const value of originals) assert.ok(!contains(output, value), `output still carries "${value}"`);
    // Name parts separately: a partially cleaned PN would still leak.
    for (const part of [...PATIENT.name.split('^'), ...PATIENT.nestedName.split('^')]) {
      assert.ok(!contains(output, part), `output still carries "${part}"`);
    }
  });

  it('removes every private element and keeps the file parseable with its clinical content', () => {
    const output = deidentify(makeDicom(study), { secret });
    const { meta, dict } = readDicom(output);
    const privateTags = Object.keys(dict).filter((tag) => Number.parseInt(tag.slice(0, 4), 16) % 2 === 1);
    assert.deepEqual(privateTags, []);
    assert.ok(dict['00100010'], 'PatientName is kept, Type 2');
    assert.equal(firstString(dict, '00100010'), undefined, 'PatientName is emptied');
    assert.equal(dict['00080080'], undefined, 'InstitutionName is removed');
    assert.equal(dict['00120062']?.Value?.[0], 'YES');
    assert.match(String(dict['00120063']?.Value?.[0]), /Basic/);
    assert.equal(dict['00120064']?.Value?.length, 3);
    const sopInstanceUid = dict['00080018']?.Value?.[0];
    assert.equal(meta['00020003']?.Value?.[0], sopInstanceUid, 'meta and dataset SOP Instance UIDs agree');

    const metadata = readDicomMetadata(output);
    assert.equal(metadata.modality, 'CT');
    assert.equal(metadata.bodyPartExamined, 'CHEST');
    assert.equal(metadata.numberOfFrames, 1);
    assert.equal(metadata.sopClassUid, '1.2.840.10008.5.1.4.1.1.2');
    assert.equal(metadata.studyDescription, undefined); // free text: removed (X), not cleaned
    assert.equal(dict['00100040']?.Value?.[0], 'M');
    assert.equal(dict['00101010']?.Value?.[0], '077Y');
    assert.equal((dict['7FE00010']?.Value?.[0] as ArrayBuffer).byteLength, 128, 'pixel data kept');
  });

  it('replaces UIDs consistently: the same input UID gives the same output UID across two files', () => {
    const a = readDicom(deidentify(makeDicom(study), { secret })).dict;
    const b = readDicom(deidentify(makeDicom(sibling), { secret })).dict;
    const uid = (d: typeof a, tag: string) => String(d[tag]?.Value?.[0]);
    for (const tag of ['0020000D', '0020000E', '00200052']) {
      assert.match(uid(a, tag), /^2\.25\.\d{1,39}$/);
      assert.equal(uid(a, tag), uid(b, tag), `${tag} differs between files of one study`);
    }
    assert.notEqual(uid(a, '00080018'), uid(b, '00080018'), 'two images keep two SOP Instance UIDs');
    assert.equal(uid(a, '00080018'), replaceUid(study.sop, { secret }));
    assert.notEqual(replaceUid(study.sop, { secret: `${secret}-other` }), replaceUid(study.sop, { secret }));
  });

  it('shifts dates by one per-patient offset, keeping intervals, and empties the birth date', () => {
    const { dict } = readDicom(deidentify(makeDicom(study), { secret }));
    const day = (value: unknown) => Date.parse(String(value).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3'));
    const studyDate = dict['00080020']?.Value?.[0];
    const seriesDate = dict['00080021']?.Value?.[0];
    assert.match(String(studyDate), /^\d{8}$/);
    assert.notEqual(studyDate, PATIENT.studyDate);
    assert.ok(day(studyDate) < day(PATIENT.studyDate));
    assert.equal(day(seriesDate) - day(studyDate), 86_400_000, 'the one-day interval survives');
    assert.equal(firstString(dict, '00100030'), undefined);
    assert.equal(dict['00280303']?.Value?.[0], 'MODIFIED');
  });

  it('refuses a short secret', () => {
    assert.throws(() => deidentify(makeDicom(study), { secret: 'short' }), /at least 16 bytes/);
  });
});
