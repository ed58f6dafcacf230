import dcmjs, { type DicomDataset } from 'dcmjs';

// dcmjs logs through loglevel and some of its warnings quote element values: keep PHI out of the logs.
dcmjs.log.setLevel('error');

/**
 * Parses a DICOM Part 10 file (128-byte preamble, `DICM`, file meta group, dataset). Throws when it is not one.
 *
 * @example
 * const { meta, dict } = readDicom(bytes);
 */
export function readDicom(bytes: Uint8Array): { meta: DicomDataset; dict: DicomDataset } {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { meta, dict } = dcmjs.data.DicomMessage.readFile(buffer);
  return { meta, dict };
}

/** The first value of an element, as a trimmed string, or undefined when absent or empty. */
export function firstString(dataset: DicomDataset, tag: string): string | undefined {
  const value = dataset[tag]?.Value?.[0];
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}
