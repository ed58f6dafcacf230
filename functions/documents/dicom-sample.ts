import dcmjs from 'dcmjs';

/** Identifying values planted in the sample; after de-identification none may be found in the output bytes. */
export const PATIENT = {
  name: 'Quixote^Alonso^Quijano',
  id: 'MRN-99887766',
  birthDate: '19470321',
  address: '12 Windmill Lane, La Mancha',
  otherIds: 'OTHER-ID-5544',
  institution: 'Hospital Sancho Panza',
  institutionAddress: '1 Rocinante Road, Toboso',
  referring: 'Dulcinea^Aldonza',
  performing: 'Carrasco^Sanson',
  operator: 'Perez^Pero',
  accession: 'ACC-20240611-77',
  studyId: 'STUDY-4711',
  deviceSerial: 'SN-DEV-31415',
  stationName: 'CT-ROOM-BARATARIA',
  studyDate: '20240611',
  seriesDate: '20240612',
  birthDateInSequence: '19470322',
  privateCreator: 'ACME PRIVATE TAGS',
  privateValue: 'PRIVATE-Quixote-cardiac-note',
  nestedName: 'Panza^Teresa',
} as const;

/** UIDs a scanner would have issued, and that must be replaced consistently. */
export interface SampleUids {
  study: string;
  series: string;
  sop: string;
  frameOfReference: string;
}

/**
 * Builds a small CT-like DICOM file (8×8 pixels) carrying patient data, a private block and a nested sequence.
 *
 * @example
 * const bytes = makeDicom({ study: '1.2.3', series: '1.2.3.1', sop: '1.2.3.1.1', frameOfReference: '1.2.3.9' });
 */
export function makeDicom(uids: SampleUids): Uint8Array {
  const dataset = {
    _meta: {},
    _vrMap: { PixelData: 'OW' },
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', // CT Image Storage
    SOPInstanceUID: uids.sop,
    StudyInstanceUID: uids.study,
    SeriesInstanceUID: uids.series,
    FrameOfReferenceUID: uids.frameOfReference,
    Modality: 'CT',
    BodyPartExamined: 'CHEST',
    StudyDescription: 'CT THORAX WITH CONTRAST',
    SeriesDescription: 'AXIAL 1.25MM',
    StudyDate: PATIENT.studyDate,
    SeriesDate: PATIENT.seriesDate,
    StudyTime: '101500',
    PatientName: PATIENT.name,
    PatientID: PATIENT.id,
    PatientBirthDate: PATIENT.birthDate,
    PatientSex: 'M',
    PatientAge: '077Y',
    PatientAddress: PATIENT.address,
    OtherPatientIDs: PATIENT.otherIds,
    InstitutionName: PATIENT.institution,
    InstitutionAddress: PATIENT.institutionAddress,
    ReferringPhysicianName: PATIENT.referring,
    PerformingPhysicianName: PATIENT.performing,
    OperatorsName: PATIENT.operator,
    AccessionNumber: PATIENT.accession,
    StudyID: PATIENT.studyId,
    DeviceSerialNumber: PATIENT.deviceSerial,
    StationName: PATIENT.stationName,
    // A sequence the profile does not name: its items are cleaned element by element.
    ReferencedImageSequence: [
      {
        ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
        ReferencedSOPInstanceUID: `${uids.sop}.2`,
        VerifyingObserverName: PATIENT.nestedName, // a PN the profile table does not name
        ContentDate: PATIENT.birthDateInSequence,
      },
    ],
    Rows: 8,
    Columns: 8,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelData: [new Uint16Array(64).fill(1000).buffer],
  };
  const file = dcmjs.data.datasetToDict(dataset);
  // A private block (odd group 0009): creator at (0009,0010), its element at (0009,1001).
  file.dict['00090010'] = { vr: 'LO', Value: [PATIENT.privateCreator] };
  file.dict['00091001'] = { vr: 'LO', Value: [PATIENT.privateValue] };
  return new Uint8Array(file.write());
}
