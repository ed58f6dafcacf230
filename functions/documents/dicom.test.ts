import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDicomMetadata } from './dicom.ts';
import { detectKind } from '../../shared/blob/detect.ts';
import { makeDicom, PATIENT } from './dicom-sample.ts';

const root = '1.2.826.0.1.3680043.2.1125';
const uids = { study: `${root}.1`, series: `${root}.1.2`, sop: `${root}.1.2.3`, frameOfReference: `${root}.9` };

describe('readDicomMetadata', () => {
  it('reads modality, body part, descriptions, study date and frames from a file made with dcmjs', () => {
    const bytes = makeDicom(uids);
    assert.equal(detectKind(bytes), 'dicom');
    assert.deepEqual(readDicomMetadata(bytes), {
      modality: 'CT',
      bodyPartExamined: 'CHEST',
      studyDescription: 'CT THORAX WITH CONTRAST',
      studyDate: PATIENT.studyDate,
      seriesDescription: 'AXIAL 1.25MM',
      numberOfFrames: 1,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
    });
  });

  it('returns no patient identity, only clinical context', () => {
    const text = JSON.stringify(readDicomMetadata(makeDicom(uids)));
    for (const value of [PATIENT.name, PATIENT.id, PATIENT.birthDate, PATIENT.institution]) {
      assert.ok(!text.includes(value), 'metadata carries a patient value');
    }
  });

  it('throws on bytes that are not DICOM', () => {
    assert.throws(() => readDicomMetadata(new TextEncoder().encode('not dicom')));
  });
});
