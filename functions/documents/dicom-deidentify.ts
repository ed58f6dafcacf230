import { createHmac } from 'node:crypto';
import dcmjs, { type DicomDataset, type DicomElement } from 'dcmjs';
import { firstString, readDicom } from './dicom-read.ts';
import { DEIDENTIFICATION_CODES, DEIDENTIFICATION_METHOD, PROFILE } from './dicom-profile.ts';

/** The per-deployment secret keys both the UID mapping and the date shift; without it neither can be reversed. */
export interface DeidentifyOptions {
  secret: string | Uint8Array;
}

const STANDARD_UID_ROOT = '1.2.840.10008.';
const MAX_SHIFT_DAYS = 3652;
const DAY_MS = 86_400_000;

function hmac(secret: string | Uint8Array, label: string, value: string): Buffer {
  return createHmac('sha256', secret).update(`${label}\u0000${value}`).digest();
}

/**
 * Maps a UID to `2.25.<n>`, n the integer of a UUID (version 8, RFC 9562) made from an HMAC of the original: the same
 * UID under the same secret always gives the same replacement, so studies, series and references stay linked.
 *
 * @example
 * replaceUid('1.2.3.4', { secret }); // '2.25.2296…'
 */
export function replaceUid(uid: string, { secret }: DeidentifyOptions): string {
  const bytes = hmac(secret, 'uid', uid).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}

function shiftDays(patientKey: string, secret: string | Uint8Array): number {
  return 1 + (hmac(secret, 'date-shift', patientKey).readUInt32BE(0) % MAX_SHIFT_DAYS);
}

/** Shifts a DA (`YYYYMMDD`) or the date part of a DT back by `days`; a value it cannot read is dropped. */
function shiftDate(value: string, days: number): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(.*)$/.exec(value.trim());
  if (!match) return undefined;
  const [, y, m, d, rest] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)) - days * DAY_MS);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(0, 10).replaceAll('-', '') + rest;
}

function capAge(value: unknown): unknown {
  // Ages above 89 single a person out (HIPAA Safe Harbor groups them as 90 or older).
  const match = /^(\d{3})Y$/.exec(String(value));
  return match && Number(match[1]) >= 90 ? '090Y' : value;
}

function isPrivate(tag: string): boolean {
  return Number.parseInt(tag.slice(0, 4), 16) % 2 === 1;
}

function isRemovedByGroup(tag: string): boolean {
  const group = tag.slice(0, 4);
  return (
    tag.endsWith('0000') || // group length
    /^50[0-9A-F]{2}$/.test(group) || // curves (retired)
    (/^60[0-9A-F]{2}$/.test(group) && (tag.endsWith('3000') || tag.endsWith('4000'))) // overlay data, comments
  );
}

function clean(dataset: DicomDataset, days: number, options: DeidentifyOptions): DicomDataset {
  const out: DicomDataset = {};
  for (const [rawTag, element] of Object.entries(dataset)) {
    const tag = rawTag.toUpperCase();
    if (isPrivate(tag) || isRemovedByGroup(tag) || element.vr === 'UN') continue;
    const action = PROFILE.get(tag)?.[1];
    if (action === 'X' || action === 'C') continue;
    const next: DicomElement = { vr: element.vr };
    const values = element.Value ?? [];
    if (action === 'Z' || element.vr === 'PN') {
      next.Value = [];
    } else if (tag === '00101010') {
      next.Value = values.map(capAge);
    } else if (element.vr === 'UI') {
      const keep = (uid: unknown) => action === 'K' || (action !== 'U' && String(uid).startsWith(STANDARD_UID_ROOT));
      next.Value = values.map((uid) => (keep(uid) ? uid : replaceUid(String(uid), options)));
    } else if (element.vr === 'DA' || element.vr === 'DT') {
      next.Value = values.map((v) => shiftDate(String(v), days)).filter((v) => v !== undefined);
    } else if (element.vr === 'SQ') {
      next.Value = values.map((item) => clean(item as DicomDataset, days, options));
    } else {
      if (element.Value !== undefined) next.Value = element.Value;
      if (element.InlineBinary !== undefined) next.InlineBinary = element.InlineBinary;
    }
    out[tag] = next;
  }
  return out;
}

function code(value: string, meaning: string): DicomDataset {
  return {
    '00080100': { vr: 'SH', Value: [value] },
    '00080102': { vr: 'SH', Value: ['DCM'] },
    '00080104': { vr: 'LO', Value: [meaning] },
  };
}

/**
 * De-identifies a DICOM file per PS3.15 Annex E, Basic Profile with the Modified Dates and Retain Patient
 * Characteristics options (the actions per tag are in `dicom-profile.ts`), and returns a new, valid DICOM file.
 * Pixel data is copied untouched: text burned into the image is not removed.
 *
 * @example
 * const safe = deidentify(bytes, { secret: config.deidentificationSecret });
 */
export function deidentify(bytes: Uint8Array, options: DeidentifyOptions): Uint8Array {
  const secretLength = typeof options.secret === 'string' ? Buffer.byteLength(options.secret) : options.secret.length;
  if (secretLength < 16) throw new Error('the de-identification secret must be at least 16 bytes');
  const { meta, dict } = readDicom(bytes);
  // One shift per patient keeps intervals between their studies; without a PatientID, one per study.
  const patientKey = firstString(dict, '00100020') ?? `study:${firstString(dict, '0020000D') ?? ''}`;
  const days = shiftDays(patientKey, options.secret);

  const out = clean(dict, days, options);
  out['00120062'] = { vr: 'CS', Value: ['YES'] }; // PatientIdentityRemoved
  out['00120063'] = { vr: 'LO', Value: [DEIDENTIFICATION_METHOD] };
  out['00120064'] = { vr: 'SQ', Value: DEIDENTIFICATION_CODES.map(([value, meaning]) => code(value, meaning)) };
  out['00280303'] = { vr: 'CS', Value: ['MODIFIED'] }; // LongitudinalTemporalInformationModified

  const file = new dcmjs.data.DicomDict(clean(meta, days, options));
  file.dict = out;
  return new Uint8Array(file.write());
}
