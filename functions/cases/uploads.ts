import { createHash } from 'node:crypto';
import { CONTENT_TYPES, KindDetector, matchesDeclared, type DocumentKind } from '../../shared/blob/detect.ts';

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

/** What reading an upload showed: its size (up to the limit), SHA-256 and kind — or that it passed the limit. */
export type UploadFacts = { tooLarge: true } | { tooLarge: false; size: number; sha256: string; kind: DocumentKind | undefined };

/**
 * Reads an upload once, as it streams by, for what {@link verifyUpload} checks: never more than `maxBytes` (a larger
 * upload stops the reading) and never all of it at once — one chunk, the SHA-256's state and the first bytes.
 *
 * @example
 * const facts = await inspectUpload((await store.stream(key))!, 25 * 1024 ** 2);
 */
export async function inspectUpload(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<UploadFacts> {
  const hash = createHash('sha256');
  const detector = new KindDetector();
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > maxBytes) return { tooLarge: true };
    hash.update(chunk);
    detector.push(chunk);
  }
  return { tooLarge: false, size, sha256: hash.digest('hex'), kind: detector.kind() };
}

/**
 * Checks an upload against what the patient declared in the intent: not empty, within the size limit, the declared
 * size and SHA-256, and a type that the bytes themselves (magic bytes) confirm.
 *
 * @example
 * const verdict = verifyUpload(await inspectUpload(stream, maxBytes), { size: 48213, sha256, contentType: 'application/pdf' });
 * if (!verdict.ok) throw new HttpProblem(verdict.refusal.status, verdict.refusal.type, { detail: verdict.refusal.detail });
 */
export function verifyUpload(facts: UploadFacts, declared: { size: number; sha256: string; contentType: string }, maxBytes: number): { ok: true; kind: DocumentKind } | { ok: false; refusal: Refusal } {
  const refuse = (status: Refusal['status'], type: string, detail: string) => ({ ok: false as const, refusal: { status, type, detail } });
  if (facts.tooLarge) return refuse(413, 'file-too-large', `The file is larger than ${maxBytes} bytes.`);
  if (facts.size === 0) return refuse(422, 'empty-file', 'The uploaded file is empty.');
  if (facts.size !== declared.size) return refuse(422, 'size-mismatch', `The upload has ${facts.size} bytes, ${declared.size} were declared.`);
  if (facts.sha256 !== declared.sha256) return refuse(422, 'checksum-mismatch', 'The SHA-256 of the upload differs from the declared one.');
  if (facts.kind === undefined) return refuse(415, 'unsupported-type', 'The file is not a PDF, JPEG, PNG, DICOM or plain-text file.');
  if (!matchesDeclared(facts.kind, declared.contentType)) return refuse(415, 'type-mismatch', `The file is ${facts.kind}, not ${essenceOf(declared.contentType)} as declared.`);
  return { ok: true, kind: facts.kind };
}
