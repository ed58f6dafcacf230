/** What the client must do to upload: PUT the bytes to `url` with exactly these `headers`. */
export interface PresignedPut {
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
}

/** A download URL that stops working at `expiresAt`. */
export interface PresignedGet {
  url: string;
  expiresAt: Date;
}

export interface PresignPutOptions {
  contentType: string;
  /** When set, the upload must be exactly this many bytes. */
  contentLength?: number;
  /**
   * When set (hex), the body must have this SHA-256: the URL is signed with an `x-amz-checksum-sha256` header the
   * client must send, and the store refuses any other body (AWS S3 and the local store check it; s3rver only checks
   * that the signed header was sent).
   */
  sha256?: string;
  /** Default 900 (15 minutes). */
  expiresInSeconds?: number;
}

export interface PresignGetOptions {
  /** Default 300 (5 minutes). */
  expiresInSeconds?: number;
  /** Served as `Content-Disposition: attachment` with this name. */
  filename?: string;
}

/** Size and media type of a stored object. */
export interface BlobHead {
  size: number;
  contentType: string | undefined;
}

/**
 * Object storage for uploaded documents. Keys are checked by `assertBlobKey` (input.ts) in every adapter,
 * so a key that works locally works on S3 and the other way round.
 *
 * @example
 * const { url, headers } = await store.presignPut('cases/7f3c/documents/9a1e', { contentType: 'application/pdf' });
 * await fetch(url, { method: 'PUT', headers, body: pdfBytes });
 * await store.head('cases/7f3c/documents/9a1e'); // { size: 48213, contentType: 'application/pdf' }
 */
export interface BlobStore {
  /** A URL the client PUTs the bytes to directly, plus the headers it must send. */
  presignPut(key: string, opts: PresignPutOptions): Promise<PresignedPut>;
  /** A short-lived URL to download the object. */
  presignGet(key: string, opts?: PresignGetOptions): Promise<PresignedGet>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * The object's bytes as they arrive, for reading an object without holding all of it; undefined when it does not
   * exist. Iterating throws when the bytes stop short (a dropped connection), never ends early.
   */
  stream(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  head(key: string): Promise<BlobHead | undefined>;
  /** Succeeds whether or not the object exists. */
  delete(key: string): Promise<void>;
  /** Throws when the store cannot be reached (readiness probe). */
  check(): Promise<void>;
}

export const DEFAULT_PUT_EXPIRY_SECONDS = 900;
export const DEFAULT_GET_EXPIRY_SECONDS = 300;
