import { BlobInputError } from './input.ts';

/**
 * An RFC 6266 `Content-Disposition: attachment` value for `filename`, with an ASCII fallback
 * for old clients and the exact UTF-8 name in `filename*`.
 *
 * @example
 * contentDisposition('Röntgen 2024.pdf');
 * // 'attachment; filename="R_ntgen 2024.pdf"; filename*=UTF-8\'\'R%C3%B6ntgen%202024.pdf'
 */
export function contentDisposition(filename: string): string {
  if (typeof filename !== 'string' || filename.length === 0 || filename.length > 255 || /[\x00-\x1f\x7f]/.test(filename)) {
    throw new BlobInputError('Invalid filename: expected 1 to 255 characters without control characters');
  }
  const fallback = filename.replace(/[^\x20-\x7e]|["\\/]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
