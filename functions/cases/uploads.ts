import { createHash } from 'node:crypto';
import { CONTENT_TYPES, detectKind, matchesDeclared, type DocumentKind } from '../../shared/blob/detect.ts';

/** The media types a patient may upload (API.md: PDF, JPEG, PNG, DICOM, plain text). */
export const ACCEPTED_TYPES: readonly string[] = Object.values(CONTENT_TYPES);

/** The declared type's essence (parameters such as `; charset=utf-8` dropped), lower-cased. */
const essenceOf = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/** The SHA-256 of `bytes`, hex, as uploads declare it. */
export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Why an uploaded file is refused: the status and problem type to answer with. */
export interface Refusal {
  status: 413 | 415 | 422;
  type: string;
  detail: string;
}

/**
 * Checks uploaded bytes against what the patient declared in the intent: not empty, within the size limit, the
 * declared size and SHA-256, and a type that the bytes themselves (magic bytes) confirm.
 *
 * @example
 * const verdict = verifyUpload(bytes, { size: 48213, sha256, contentType: 'application/pdf' }, 25 * 1024 ** 2);
 * if (!verdict.ok) throw new HttpProblem(verdict.refusal.status, verdict.refusal.type, { detail: verdict.refusal.detail });
 */
export function verifyUpload(
  bytes: Uint8Array,
  declared: { size: number; sha256: string; contentType: string },
  maxBytes: number,
): { ok: true; kind: DocumentKind } | { ok: false; refusal: Refusal } {
  const refuse = (status: Refusal['status'], type: string, detail: string) => ({ ok: false as const, refusal: { status, type, detail } });
  if (bytes.length === 0) return refuse(422, 'empty-file', 'The uploaded file is empty.');
  if (bytes.length > maxBytes) return refuse(413, 'file-too-large', `The file is larger than ${maxBytes} bytes.`);
  if (bytes.length !== declared.size) return refuse(422, 'size-mismatch', `The upload has ${bytes.length} bytes, ${declared.size} were declared.`);
  if (sha256Of(bytes) !== declared.sha256) return refuse(422, 'checksum-mismatch', 'The SHA-256 of the upload differs from the declared one.');
  const kind = detectKind(bytes);
  if (kind === undefined) return refuse(415, 'unsupported-type', 'The file is not a PDF, JPEG, PNG, DICOM or plain-text file.');
  if (!matchesDeclared(kind, declared.contentType)) return refuse(415, 'type-mismatch', `The file is ${kind}, not ${essenceOf(declared.contentType)} as declared.`);
  return { ok: true, kind };
}
