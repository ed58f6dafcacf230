import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
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
import { ObjectReader, S3ReadError, s3ErrorCode } from './s3-read.ts';

/** Where the bucket lives; the shape of `config.s3`. */
export interface S3BlobStoreOptions {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** How long the URL of one of our own reads lives: its retries included. */
const READ_URL_SECONDS = 60;

/**
 * The SDK client for a bucket, configured as the store uses it (the upload benchmark's baseline uses the same).
 *
 * @example
 * const s3 = createS3Client(config.s3!);
 */
export function createS3Client(options: S3BlobStoreOptions): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    forcePathStyle: true,
    // The SDK's default CRC checksums are not understood by every S3 API, and in a presigned PUT they
    // would pin the checksum of an empty body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Blobs in one bucket of any S3 API (AWS, MinIO, GCS interop, s3rver). Path-style addressing; the client
 * is made on first use, so importing or constructing this connects to nothing.
 *
 * The hot paths (signing upload and download URLs, reading an object) skip the SDK's per-call machinery: URLs are
 * signed by the SDK's own S3 signer, made once per store, and objects are read by such a URL on kept-alive sockets
 * ({@link ObjectReader}). The rest goes through the SDK client.
 *
 * @example
 * const store = new S3BlobStore(config.s3!);
 * const { url, headers } = await store.presignPut('cases/7f3c/scan.dcm', { contentType: 'application/dicom', contentLength: 52_318 });
 */
export class S3BlobStore implements BlobStore {
  readonly #options: S3BlobStoreOptions;
  readonly #endpoint: URL;
  #client: S3Client | undefined;
  #signer: S3RequestPresigner | undefined;
  #reader: ObjectReader | undefined;

  constructor(options: S3BlobStoreOptions) {
    this.#options = options;
    this.#endpoint = new URL(options.endpoint);
  }

  get #s3(): S3Client {
    this.#client ??= createS3Client(this.#options);
    return this.#client;
  }

  /**
   * A URL signed for one request on one object. getSignedUrl would make a signer, resolve the endpoint rules and
   * run a middleware stack for every URL (7× the signing itself); the path-style address is known, so the signer
   * is made once and given the request.
   */
  async #signedUrl(method: 'GET' | 'PUT', key: string, options: SigningOptions): Promise<string> {
    this.#signer ??= new S3RequestPresigner({ ...this.#s3.config, signingName: 's3', region: async () => this.#options.region });
    const endpoint = this.#endpoint;
    const signed = await this.#signer.presign(
      {
        method,
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port ? Number(endpoint.port) : undefined,
        // Keys and bucket names are made of URL-safe characters only (assertBlobKey), so the path needs no escaping.
        path: `${endpoint.pathname.replace(/\/$/, '')}/${this.#options.bucket}/${key}`,
        query: options.query ?? {},
        headers: { ...options.headers, host: endpoint.host },
      },
      { expiresIn: options.expiresIn, signingDate: options.signingDate, signableHeaders: options.signableHeaders, unhoistableHeaders: options.unhoistableHeaders },
    );
    return `${endpoint.origin}${signed.path}?${queryString(signed.query ?? {})}`;
  }

  async presignPut(key: string, opts: PresignPutOptions): Promise<PresignedPut> {
    assertBlobKey(key);
    assertContentType(opts.contentType);
    if (opts.contentLength !== undefined) assertContentLength(opts.contentLength);
    if (opts.sha256 !== undefined) assertSha256(opts.sha256);
    const expiresIn = expirySeconds(opts.expiresInSeconds, DEFAULT_PUT_EXPIRY_SECONDS);
    const checksum = opts.sha256 === undefined ? undefined : checksumHeaderValue(opts.sha256);
    const headers: Record<string, string> = { 'Content-Type': opts.contentType };
    if (opts.contentLength !== undefined) headers['Content-Length'] = String(opts.contentLength);
    if (checksum !== undefined) headers['x-amz-checksum-sha256'] = checksum;
    // Unless named here, the presigner leaves these out of the signature and the client could upload anything. The
    // checksum must stay a header too: hoisted into the query string, S3 does not check the body against it
    // (aws-sdk-js-v3#3906); as a signed header, S3 refuses a body with another SHA-256 (BadDigest).
    const signableHeaders = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
    const unhoistableHeaders = new Set(checksum === undefined ? [] : ['x-amz-checksum-sha256']);
    const url = await this.#signedUrl('PUT', key, { headers, expiresIn, signableHeaders, unhoistableHeaders });
    return { url, method: 'PUT', headers };
  }

  async presignGet(key: string, opts: PresignGetOptions = {}): Promise<PresignedGet> {
    assertBlobKey(key);
    const expiresIn = expirySeconds(opts.expiresInSeconds, DEFAULT_GET_EXPIRY_SECONDS);
    const disposition = opts.filename === undefined ? undefined : contentDisposition(opts.filename);
    const query: Record<string, string> = disposition === undefined ? {} : { 'response-content-disposition': disposition };
    // SigV4 dates have whole seconds; signing at a whole second makes expiresAt exact.
    const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = await this.#signedUrl('GET', key, { query, expiresIn, signingDate });
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
    const { status, body } = await this.#objects.read(await this.#signedUrl('GET', key, { expiresIn: READ_URL_SECONDS }));
    return status === 200 ? body : missing(status, body);
  }

  async stream(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    assertBlobKey(key);
    const answer = await this.#objects.open(await this.#signedUrl('GET', key, { expiresIn: READ_URL_SECONDS }));
    return 'stream' in answer ? answer.stream : missing(answer.status, answer.body);
  }

  get #objects(): ObjectReader {
    this.#reader ??= new ObjectReader(this.#endpoint.protocol);
    return this.#reader;
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
    this.#signer = undefined;
    this.#reader?.destroy();
    this.#reader = undefined;
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

/** Undefined for a missing object; throws for anything else S3 answered instead of it. */
function missing(status: number, body: Uint8Array): undefined {
  const code = s3ErrorCode(body);
  // A missing bucket is misconfiguration, not a missing object.
  if (status === 404 && code !== 'NoSuchBucket') return undefined;
  throw new S3ReadError(status, code);
}

interface SigningOptions {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  expiresIn: number;
  signingDate?: Date;
  signableHeaders?: Set<string>;
  unhoistableHeaders?: Set<string>;
}

/** A signed request's query as a URL carries it: each name and value escaped as SigV4 escapes them (RFC 3986). */
function queryString(query: Record<string, string | string[] | null>): string {
  const escape = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(query)
    .flatMap(([name, value]) => (value === null ? [escape(name)] : [value].flat().map((v) => `${escape(name)}=${escape(v)}`)))
    .join('&');
}
