/**
 * The de-identification actions of DICOM PS3.15 Annex E (Table E.1-1), as applied by `deidentify`:
 *
 * | code | meaning                                                     |
 * |------|-------------------------------------------------------------|
 * | X    | remove the element                                          |
 * | Z    | keep the element, zero-length value (a Type 2 attribute)     |
 * | D    | replace with a dummy value (for dates: shifted, see below)   |
 * | K    | keep                                                        |
 * | C    | clean (keep only what is not identifying) — not applied: we cannot clean free text reliably, so X instead |
 * | U    | replace the UID with a consistent one (`2.25.` + HMAC of the original)  |
 *
 * Profile and options (also written to DeidentificationMethod and its code sequence):
 * - Basic Application Confidentiality Profile (113100) for everything listed below.
 * - Retain Longitudinal Temporal Information Modified Dates Option (113107): every DA and DT value is shifted back
 *   by a whole number of days (1–3652) derived from the secret and the PatientID, so intervals between one
 *   patient's studies survive; PatientBirthDate is still emptied (Z). Times (TM) are kept.
 * - Retain Patient Characteristics Option (113108): PatientSex, PatientAge (capped at 090Y), PatientSize,
 *   PatientWeight are kept, because a second opinion needs them.
 *
 * Beyond the table, by VR and group (catch-alls for attributes the table does not name):
 * - every private element (odd group number) is removed, with its creator;
 * - every PN (person name) element is emptied (Z);
 * - every UI (UID) element is replaced (U) unless its value is a standard well-known UID (root `1.2.840.10008.`),
 *   which keeps SOP Class and Transfer Syntax UIDs intact;
 * - overlays (60xx,3000 data, 60xx,4000 comments) and curves (50xx) are removed;
 * - group length elements (gggg,0000) are removed (retired; dcmjs recomputes the meta one).
 *
 * Not handled: identifying text burned into the pixels (Burned In Annotation), which needs image inspection.
 */
export type Action = 'X' | 'Z' | 'D' | 'K' | 'C' | 'U';

/**
 * Tag (8 hex digits, upper case) → [keyword, action]. Sequences marked X go whole.
 *
 * @example
 * PROFILE.get('00100010'); // ['PatientName', 'Z']
 */
export const PROFILE: ReadonlyMap<string, readonly [string, Action]> = new Map<string, readonly [string, Action]>([
  // File meta information
  ['00020003', ['MediaStorageSOPInstanceUID', 'U']],
  ['00020012', ['ImplementationClassUID', 'K']], // names the writing software, not the patient
  ['00020016', ['SourceApplicationEntityTitle', 'X']],
  // General study, series, equipment
  ['00080014', ['InstanceCreatorUID', 'U']],
  ['00080018', ['SOPInstanceUID', 'U']],
  ['00080050', ['AccessionNumber', 'Z']],
  ['00080080', ['InstitutionName', 'X']],
  ['00080081', ['InstitutionAddress', 'X']],
  ['00080082', ['InstitutionCodeSequence', 'X']],
  ['00080090', ['ReferringPhysicianName', 'Z']],
  ['00080092', ['ReferringPhysicianAddress', 'X']],
  ['00080094', ['ReferringPhysicianTelephoneNumbers', 'X']],
  ['00080096', ['ReferringPhysicianIdentificationSequence', 'X']],
  ['00080116', ['ResponsibleOrganization', 'X']],
  ['00080201', ['TimezoneOffsetFromUTC', 'X']],
  ['00081010', ['StationName', 'X']],
  ['00081030', ['StudyDescription', 'X']],
  ['0008103E', ['SeriesDescription', 'X']],
  ['00081040', ['InstitutionalDepartmentName', 'X']],
  ['00081048', ['PhysiciansOfRecord', 'X']],
  ['00081049', ['PhysiciansOfRecordIdentificationSequence', 'X']],
  ['00081050', ['PerformingPhysicianName', 'X']],
  ['00081052', ['PerformingPhysicianIdentificationSequence', 'X']],
  ['00081060', ['NameOfPhysiciansReadingStudy', 'X']],
  ['00081062', ['PhysiciansReadingStudyIdentificationSequence', 'X']],
  ['00081070', ['OperatorsName', 'X']],
  ['00081072', ['OperatorIdentificationSequence', 'X']],
  ['00081080', ['AdmittingDiagnosesDescription', 'X']],
  ['00081084', ['AdmittingDiagnosesCodeSequence', 'X']],
  ['00081110', ['ReferencedStudySequence', 'X']],
  ['00081111', ['ReferencedPerformedProcedureStepSequence', 'X']],
  ['00081120', ['ReferencedPatientSequence', 'X']],
  ['00081155', ['ReferencedSOPInstanceUID', 'U']],
  ['00081195', ['TransactionUID', 'U']],
  ['00082111', ['DerivationDescription', 'X']],
  ['00083010', ['IrradiationEventUID', 'U']],
  ['00089123', ['CreatorVersionUID', 'U']],
  // Patient
  ['00100010', ['PatientName', 'Z']],
  ['00100020', ['PatientID', 'Z']],
  ['00100021', ['IssuerOfPatientID', 'X']],
  ['00100030', ['PatientBirthDate', 'Z']],
  ['00100032', ['PatientBirthTime', 'X']],
  ['00100040', ['PatientSex', 'K']],
  ['00100050', ['PatientInsurancePlanCodeSequence', 'X']],
  ['00101000', ['OtherPatientIDs', 'X']],
  ['00101001', ['OtherPatientNames', 'X']],
  ['00101002', ['OtherPatientIDsSequence', 'X']],
  ['00101005', ['PatientBirthName', 'X']],
  ['00101010', ['PatientAge', 'K']],
  ['00101020', ['PatientSize', 'K']],
  ['00101030', ['PatientWeight', 'K']],
  ['00101040', ['PatientAddress', 'X']],
  ['00101060', ['PatientMotherBirthName', 'X']],
  ['00101080', ['MilitaryRank', 'X']],
  ['00101081', ['BranchOfService', 'X']],
  ['00101090', ['MedicalRecordLocator', 'X']],
  ['00102150', ['CountryOfResidence', 'X']],
  ['00102152', ['RegionOfResidence', 'X']],
  ['00102154', ['PatientTelephoneNumbers', 'X']],
  ['00102160', ['EthnicGroup', 'X']],
  ['00102180', ['Occupation', 'X']],
  ['001021B0', ['AdditionalPatientHistory', 'X']],
  ['001021F0', ['PatientReligiousPreference', 'X']],
  ['00102297', ['ResponsiblePerson', 'X']],
  ['00102299', ['ResponsibleOrganization', 'X']],
  ['00104000', ['PatientComments', 'X']],
  // Devices
  ['00181000', ['DeviceSerialNumber', 'X']],
  ['00181002', ['DeviceUID', 'U']],
  ['00181004', ['PlateID', 'X']],
  ['00181005', ['GeneratorID', 'X']],
  ['00181007', ['CassetteID', 'X']],
  ['00181008', ['GantryID', 'X']],
  ['00181009', ['UniqueDeviceIdentifier', 'X']],
  ['00181030', ['ProtocolName', 'X']],
  ['00181400', ['AcquisitionDeviceProcessingDescription', 'X']],
  ['0018700A', ['DetectorID', 'X']],
  // Study, series, frame of reference
  ['0020000D', ['StudyInstanceUID', 'U']],
  ['0020000E', ['SeriesInstanceUID', 'U']],
  ['00200010', ['StudyID', 'Z']],
  ['00200052', ['FrameOfReferenceUID', 'U']],
  ['00200200', ['SynchronizationFrameOfReferenceUID', 'U']],
  ['00204000', ['ImageComments', 'X']],
  ['00209161', ['ConcatenationUID', 'U']],
  ['00209164', ['DimensionOrganizationUID', 'U']],
  // Requests, procedure steps, visits
  ['00321032', ['RequestingPhysician', 'X']],
  ['00321033', ['RequestingService', 'X']],
  ['00321060', ['RequestedProcedureDescription', 'X']],
  ['00324000', ['StudyComments', 'X']],
  ['00380010', ['AdmissionID', 'X']],
  ['00380300', ['CurrentPatientLocation', 'X']],
  ['00380400', ['PatientInstitutionResidence', 'X']],
  ['00380500', ['PatientState', 'X']],
  ['00400006', ['ScheduledPerformingPhysicianName', 'X']],
  ['00400241', ['PerformedStationAETitle', 'X']],
  ['00400242', ['PerformedStationName', 'X']],
  ['00400243', ['PerformedLocation', 'X']],
  ['00400253', ['PerformedProcedureStepID', 'X']],
  ['00400254', ['PerformedProcedureStepDescription', 'X']],
  ['00400275', ['RequestAttributesSequence', 'X']],
  ['00401001', ['RequestedProcedureID', 'X']],
  ['00402016', ['PlacerOrderNumberImagingServiceRequest', 'X']],
  ['00402017', ['FillerOrderNumberImagingServiceRequest', 'X']],
  ['00404036', ['HumanPerformerOrganization', 'X']],
  ['00404037', ['HumanPerformerName', 'X']],
  ['0040A123', ['PersonName', 'X']],
  ['0040A124', ['UID', 'U']],
  ['0040A730', ['ContentSequence', 'X']],
  ['00700084', ['ContentCreatorName', 'Z']],
  ['00880140', ['StorageMediaFileSetUID', 'U']],
  ['30060024', ['ReferencedFrameOfReferenceUID', 'U']],
  ['300600C2', ['RelatedFrameOfReferenceUID', 'U']],
]);

/**
 * PS3.16 CID 7050 codes (scheme DCM) for what was done, written to DeidentificationMethodCodeSequence (0012,0064).
 *
 * @example
 * DEIDENTIFICATION_CODES[0]; // ['113100', 'Basic Application Confidentiality Profile']
 */
export const DEIDENTIFICATION_CODES = [
  ['113100', 'Basic Application Confidentiality Profile'],
  ['113107', 'Retain Longitudinal Temporal Information Modified Dates Option'],
  ['113108', 'Retain Patient Characteristics Option'],
] as const;

/** The text written to DeidentificationMethod (0012,0063), LO: at most 64 characters. */
export const DEIDENTIFICATION_METHOD = 'PS3.15 E Basic; Modified Dates; Retain Patient Chars';
