import { firstString, readDicom } from './dicom-read.ts';

export { deidentify, replaceUid, type DeidentifyOptions } from './dicom-deidentify.ts';

/** What the platform records about an imaging file; clinical context only, no patient identity. */
export interface DicomMetadata {
  modality?: string;
  bodyPartExamined?: string;
  studyDescription?: string;
  /** DICOM DA, `YYYYMMDD`. */
  studyDate?: string;
  seriesDescription?: string;
  numberOfFrames?: number;
  sopClassUid?: string;
  transferSyntaxUid?: string;
}

/**
 * Reads the clinical metadata of a DICOM file: modality, body part, study/series description, study date, frames.
 *
 * @example
 * readDicomMetadata(bytes); // { modality: 'CT', bodyPartExamined: 'CHEST', numberOfFrames: 1, … }
 */
export function readDicomMetadata(bytes: Uint8Array): DicomMetadata {
  const { meta, dict } = readDicom(bytes);
  const frames = firstString(dict, '00280008');
  const metadata: DicomMetadata = {
    modality: firstString(dict, '00080060'),
    bodyPartExamined: firstString(dict, '00180015'),
    studyDescription: firstString(dict, '00081030'),
    studyDate: firstString(dict, '00080020'),
    seriesDescription: firstString(dict, '0008103E'),
    // NumberOfFrames is absent from single-frame objects; one image is one frame.
    numberOfFrames: frames !== undefined ? Number.parseInt(frames, 10) : dict['7FE00010'] ? 1 : undefined,
    sopClassUid: firstString(dict, '00080016'),
    transferSyntaxUid: firstString(meta, '00020010'),
  };
  return Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== undefined)) as DicomMetadata;
}
