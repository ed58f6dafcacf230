/**
 * Thrown for a key, content type, length, expiry or filename the blob port refuses.
 * The message never repeats the offending value: keys and filenames may carry health data.
 *
 * @example
 * if (error instanceof BlobInputError) return problem(c, 400, error.message);
 */
export class BlobInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobInputError';
  }
}

// Each segment starts with a letter or digit, so ".", "..", hidden names and our own
// ".name.meta.json" / ".name.<id>.tmp" files beside a blob can never be addressed by a key.
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,199})*$/;
const TOKEN = "[A-Za-z0-9!#$&^_.+'*`|~-]+";
const CONTENT_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:\\s*;\\s*${TOKEN}=(?:${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*"))*$`);

/** The largest object one PUT may carry, as on S3. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
/** The longest a signed URL may live, as on S3 (seven days). */
export const MAX_EXPIRY_SECONDS = 604_800;

/**
 * Asserts `key` is a safe object key: "/"-separated segments of letters, digits, ".", "_" and "-",
 * each starting with a letter or digit, no "..", at most 1024 characters.
 *
 * @example
 * assertBlobKey('cases/7f3c/documents/9a1e.pdf'); // ok
 * assertBlobKey('../etc/passwd'); // throws BlobInputError
 */
export function assertBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length > 1024 || key.includes('..') || !KEY.test(key)) {
    throw new BlobInputError(
      'Invalid blob key: use "/"-separated segments of letters, digits, ".", "_" and "-", each starting with a letter or digit',
    );
  }
}

/**
 * Asserts `contentType` is a well-formed media type (`type/subtype` with optional parameters).
 *
 * @example
 * assertContentType('application/pdf'); // ok
 * assertContentType('pdf'); // throws BlobInputError
 */
export function assertContentType(contentType: string): void {
  if (typeof contentType !== 'string' || contentType.length > 255 || !CONTENT_TYPE.test(contentType)) {
    throw new BlobInputError('Invalid content type: expected a media type such as "application/pdf"');
  }
}

/**
 * Asserts `sha256` is a hex SHA-256 digest (lower case), as uploads declare it.
 *
 * @example
 * assertSha256('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'); // ok
 */
export function assertSha256(sha256: string): void {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new BlobInputError('sha256 must be 64 lower-case hex digits');
}

/** The SHA-256 as S3's checksum headers carry it (base64 of the digest). */
export const checksumHeaderValue = (sha256: string) => Buffer.from(sha256, 'hex').toString('base64');

/**
 * Asserts `length` is a byte count one PUT may carry.
 *
 * @example
 * assertContentLength(1024); // ok
 */
export function assertContentLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_PUT_BYTES) {
    throw new BlobInputError(`Invalid content length: expected an integer from 0 to ${MAX_PUT_BYTES}`);
  }
}

/**
 * The lifetime of a signed URL in seconds: `requested`, or `fallback` when unset.
 *
 * @example
 * expirySeconds(undefined, 300); // 300
 * expirySeconds(0, 300); // throws BlobInputError
 */
export function expirySeconds(requested: number | undefined, fallback: number): number {
  const seconds = requested ?? fallback;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
    throw new BlobInputError(`Invalid expiry: expected whole seconds from 1 to ${MAX_EXPIRY_SECONDS}`);
  }
  return seconds;
}
