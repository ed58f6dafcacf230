// dcmjs ships no types; this declares only the part the documents function uses.
declare module 'dcmjs' {
  /** One element of a DICOM JSON-model dataset (PS3.18 F.2), keyed by its 8-hex-digit tag. */
  export interface DicomElement {
    vr: string;
    Value?: unknown[];
    InlineBinary?: string;
    _rawValue?: unknown;
  }
  export type DicomDataset = Record<string, DicomElement>;

  export class DicomDict {
    constructor(meta: DicomDataset);
    meta: DicomDataset;
    dict: DicomDataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict };
      DicomMetaDictionary: {
        naturalizeDataset(dataset: DicomDataset): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): DicomDataset;
      };
      datasetToDict(dataset: Record<string, unknown>): DicomDict;
    };
    log: { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void };
  };
  export default dcmjs;
}
