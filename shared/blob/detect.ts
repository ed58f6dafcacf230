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

/** Text is UTF-8 with no NUL or control character other than tab, line feed, form feed and carriage return. */
function isPlainText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // C0 controls except \t \n \f \r, DEL, and C1 controls: binary files decode as UTF-8 surprisingly often.
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/.test(text);
}

/**
 * Tells the kind of a file from its content (magic bytes), never from its name or declared type.
 *
 * @example
 * detectKind(new TextEncoder().encode('%PDF-1.7 ...')); // 'pdf'
 * detectKind(new Uint8Array()); // undefined
 */
export function detectKind(bytes: Uint8Array): DocumentKind | undefined {
  if (bytes.length === 0) return undefined;
  if (startsWith(bytes, PDF)) return 'pdf';
  if (startsWith(bytes, PNG)) return 'png';
  if (startsWith(bytes, JPEG)) return 'jpeg';
  if (startsWith(bytes, DICM, 128)) return 'dicom';
  if (isPlainText(bytes)) return 'text';
  return undefined;
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
