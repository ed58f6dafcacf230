import { TextDecoder } from 'node:util';
/** The kinds of record a patient may upload, as told by their first bytes. */
export type DocumentKind = 'pdf' | 'jpeg' | 'png' | 'dicom' | 'text';

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DICM = [0x44, 0x49, 0x43, 0x4d]; // "DICM" after the 128-byte preamble (PS3.10 §7.1)

/** The media type each kind is declared with. */
export const CONTENT_TYPES: Readonly<Record<DocumentKind, string>> = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  dicom: 'application/dicom',
  text: 'text/plain',
};

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

// Every signature lies in the first 132 bytes (DICOM's "DICM" ends there).
const HEAD_BYTES = 132;
// C0 controls except \t \n \f \r, DEL, and C1 controls: binary files decode as UTF-8 surprisingly often.
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/;

/** The binary kind the first bytes show, if any. */
function signatureOf(head: Uint8Array): DocumentKind | undefined {
  if (startsWith(head, PDF)) return 'pdf';
  if (startsWith(head, PNG)) return 'png';
  if (startsWith(head, JPEG)) return 'jpeg';
  if (startsWith(head, DICM, 128)) return 'dicom';
  return undefined;
}

/**
 * Tells the kind of a file from its content as it streams by, chunk after chunk, holding only its first bytes: the
 * magic bytes of PDF, PNG, JPEG and DICOM; else plain text, which is UTF-8 with no NUL or control character other
 * than tab, line feed, form feed and carriage return (checked as the chunks come, until a signature makes it moot).
 *
 * @example
 * const detector = new KindDetector();
 * for await (const chunk of stream) detector.push(chunk);
 * detector.kind(); // 'pdf'
 */
export class KindDetector {
  readonly #head = new Uint8Array(HEAD_BYTES);
  #headLength = 0;
  #signature: DocumentKind | undefined;
  // Undefined once the bytes cannot be text.
  #text: TextDecoder | undefined = new TextDecoder('utf-8', { fatal: true });

  push(chunk: Uint8Array): this {
    if (this.#headLength < HEAD_BYTES) {
      const taken = chunk.subarray(0, HEAD_BYTES - this.#headLength);
      this.#head.set(taken, this.#headLength);
      this.#headLength += taken.length;
      this.#signature = signatureOf(this.#head.subarray(0, this.#headLength));
    }
    if (this.#text && this.#signature === undefined) {
      try {
        if (CONTROL.test(this.#text.decode(chunk, { stream: true }))) this.#text = undefined;
      } catch {
        this.#text = undefined;
      }
    }
    return this;
  }

  /** The kind of everything pushed, once the last chunk is in; undefined for nothing, or for no accepted kind. */
  kind(): DocumentKind | undefined {
    if (this.#headLength === 0) return undefined;
    if (this.#signature) return this.#signature;
    if (!this.#text) return undefined;
    try {
      // The end of the stream: a sequence cut off there is not UTF-8.
      if (CONTROL.test(this.#text.decode())) this.#text = undefined;
    } catch {
      this.#text = undefined;
    }
    return this.#text ? 'text' : undefined;
  }
}

/**
 * Tells the kind of a file from its content (magic bytes), never from its name or declared type.
 *
 * @example
 * detectKind(new TextEncoder().encode('%PDF-1.7 ...')); // 'pdf'
 * detectKind(new Uint8Array()); // undefined
 */
export function detectKind(bytes: Uint8Array): DocumentKind | undefined {
  return new KindDetector().push(bytes).kind();
}

/**
 * The kind a declared content type names (parameters such as `; charset=utf-8` ignored); undefined for any other type.
 *
 * @example
 * kindDeclaredBy('text/plain; charset=utf-8'); // 'text'
 * kindDeclaredBy('application/zip'); // undefined
 */
export function kindDeclaredBy(contentType: string): DocumentKind | undefined {
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  return (Object.keys(CONTENT_TYPES) as DocumentKind[]).find((kind) => CONTENT_TYPES[kind] === essence);
}

/**
 * Whether a declared content type agrees with the detected kind.
 *
 * @example
 * matchesDeclared('pdf', 'application/pdf'); // true
 * matchesDeclared('png', 'application/pdf'); // false — a PNG renamed .pdf
 */
export function matchesDeclared(kind: DocumentKind | undefined, contentType: string): boolean {
  return kind !== undefined && kindDeclaredBy(contentType) === kind;
}
