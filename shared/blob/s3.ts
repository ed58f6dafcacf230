import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from './disposition.ts';
import { assertBlobKey, assertContentLength, assertContentType, assertSha256, checksumHeaderValue, expirySeconds } from './input.ts';
import {
  DEFAULT_GET_EXPIRY_SECONDS,
  DEFAULT_PUT_EXPIRY_SECONDS,
  type BlobHead,
  type BlobStore,
  type PresignedGet,
  type PresignedPut,
  type PresignGetOptions,
  type PresignPutOptions,
} from './port.ts';

/** Where the bucket lives; the shape of `config.s3`. */
export interface S3BlobStoreOptions {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Blobs in one bucket of any S3 API (AWS, MinIO, GCS interop, s3rver). Path-style addressing; the client
 * is made on first use, so importing or constructing this connects to nothing.
 *
 * @example
 * const store = new S3BlobStore(config.s3!);
 * const { url, headers } = await store.presignPut('cases/7f3c/scan.dcm', { contentType: 'application/dicom', contentLength: 52_318 });
 */
export class S3BlobStore implements BlobStore {
  readonly #options: S3BlobStoreOptions;
  #client: S3Client | undefined;

  constructor(options: S3BlobStoreOptions) {
    this.#options = options;
  }

  get #s3(): S3Client {
    this.#client ??= new S3Client({
      endpoint: this.#options.endpoint,
      region: this.#options.region,
      credentials: { accessKeyId: this.#options.accessKeyId, secretAccessKey: this.#options.secretAccessKey },
      forcePathStyle: true,
      // The SDK's default CRC checksums are not understood by every S3 API, and in a presigned PUT they
      // would pin the checksum of an empty body.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return this.#client;
  }

  async presignPut(key: string, opts: PresignPutOptions): Promise<PresignedPut> {
    assertBlobKey(key);
    assertContentType(opts.contentType);
    if (opts.contentLength !== undefined) assertContentLength(opts.contentLength);
    if (opts.sha256 !== undefined) assertSha256(opts.sha256);
    const expiresIn = expirySeconds(opts.expiresInSeconds, DEFAULT_PUT_EXPIRY_SECONDS);
    const checksum = opts.sha256 === undefined ? undefined : checksumHeaderValue(opts.sha256);
    const command = new PutObjectCommand({ Bucket: this.#options.bucket, Key: key, ContentType: opts.contentType, ContentLength: opts.contentLength, ChecksumSHA256: checksum });
    const headers: Record<string, string> = { 'Content-Type': opts.contentType };
    if (opts.contentLength !== undefined) headers['Content-Length'] = String(opts.contentLength);
    if (checksum !== undefined) headers['x-amz-checksum-sha256'] = checksum;
    // Unless named here, the presigner leaves these out of the signature and the client could upload anything. The
    // checksum must stay a header too: hoisted into the query string, S3 does not check the body against it
    // (aws-sdk-js-v3#3906); as a signed header, S3 refuses a body with another SHA-256 (BadDigest).
    const signableHeaders = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
    const unhoistableHeaders = new Set(checksum === undefined ? [] : ['x-amz-checksum-sha256']);
    const url = await getSignedUrl(this.#s3, command, { expiresIn, signableHeaders, unhoistableHeaders });
    return { url, method: 'PUT', headers };
  }

  async presignGet(key: string, opts: PresignGetOptions = {}): Promise<PresignedGet> {
    assertBlobKey(key);
    const expiresIn = expirySeconds(opts.expiresInSeconds, DEFAULT_GET_EXPIRY_SECONDS);
    const disposition = opts.filename === undefined ? undefined : contentDisposition(opts.filename);
    const command = new GetObjectCommand({ Bucket: this.#options.bucket, Key: key, ResponseContentDisposition: disposition });
    // SigV4 dates have whole seconds; signing at a whole second makes expiresAt exact.
    const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = await getSignedUrl(this.#s3, command, { expiresIn, signingDate });
    return { url, expiresAt: new Date(signingDate.getTime() + expiresIn * 1000) };
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    assertBlobKey(key);
    assertContentType(contentType);
    await this.#s3.send(
      new PutObjectCommand({ Bucket: this.#options.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertBlobKey(key);
    const object = await orUndefined(this.#s3.send(new GetObjectCommand({ Bucket: this.#options.bucket, Key: key })));
    return object && (object.Body ? await object.Body.transformToByteArray() : new Uint8Array());
  }

  async head(key: string): Promise<BlobHead | undefined> {
    assertBlobKey(key);
    const object = await orUndefined(this.#s3.send(new HeadObjectCommand({ Bucket: this.#options.bucket, Key: key })));
    return object && { size: object.ContentLength ?? 0, contentType: object.ContentType };
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#options.bucket, Key: key }));
  }

  /** Throws unless the bucket exists and these credentials may use it. */
  async check(): Promise<void> {
    await this.#s3.send(new HeadBucketCommand({ Bucket: this.#options.bucket }));
  }

  /**
   * Creates the bucket when it is missing; for tests and local setup only, never on a request path.
   *
   * @example
   * await new S3BlobStore(config.s3!).ensureBucket();
   */
  async ensureBucket(): Promise<void> {
    const bucket = this.#options.bucket;
    const exists = await orUndefined(this.#s3.send(new HeadBucketCommand({ Bucket: bucket })));
    if (exists) return;
    try {
      await this.#s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      // Another process (a parallel test) may have created it first; servers disagree on the error
      // code for that (s3rver says BucketAlreadyExists), so ask again rather than trust the code.
      if (!(await orUndefined(this.#s3.send(new HeadBucketCommand({ Bucket: bucket }))))) throw error;
    }
  }

  /** Closes the client's sockets (tests, shutdown); the next call opens a new client. */
  destroy(): void {
    this.#client?.destroy();
    this.#client = undefined;
  }
}

async function orUndefined<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    // A missing bucket is misconfiguration, not a missing object (HEAD cannot tell them apart).
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404 && error.name !== 'NoSuchBucket') return undefined;
    throw error;
  }
}
