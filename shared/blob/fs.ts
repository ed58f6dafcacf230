import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { BlobRefusedError, metaFile, orUndefined, readContentType, writeLimited } from './files.ts';
import { assertBlobKey, assertContentLength, assertContentType, assertSha256, checksumHeaderValue, expirySeconds } from './input.ts';
import { contentDisposition } from './disposition.ts';
import { signGrant, verifyGrant, type Grant, type Verdict } from './signature.ts';
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

export { BlobRefusedError };

export interface FsBlobStoreOptions {
  /** The folder holding the blobs, created on first write. */
  root: string;
  /** The absolute URL `blobRoutes` is mounted at, e.g. `http://localhost:8080/_blob`. */
  urlPrefix: string;
  /** Signs the URLs; at least 32 characters. */
  secret: string;
  /** Milliseconds since the epoch; tests move it to sign URLs that are already stale. */
  now?: () => number;
}

/** An open blob: stream it before the request ends. */
export interface OpenBlob extends BlobHead {
  body: ReadableStream<Uint8Array>;
}

/**
 * Blobs as files under one folder, for `npm start` and tests: the content type sits beside each file,
 * writes land atomically (temp file, then rename), and signed URLs point at `blobRoutes` (routes.ts).
 *
 * @example
 * const store = new FsBlobStore({ root: '.data/blobs', urlPrefix: 'http://localhost:8080/_blob', secret });
 * await store.put('cases/7f3c/note.txt', new TextEncoder().encode('hi'), 'text/plain');
 * const { url } = await store.presignGet('cases/7f3c/note.txt'); // served by blobRoutes(store)
 */
export class FsBlobStore implements BlobStore {
  readonly #root: string;
  readonly #prefix: string;
  readonly #secret: string;
  readonly #now: () => number;

  constructor(options: FsBlobStoreOptions) {
    if (options.secret.length < 32) throw new Error('FsBlobStore: secret must be at least 32 characters');
    this.#root = options.root;
    this.#prefix = new URL(options.urlPrefix).href.replace(/\/+$/, '');
    this.#secret = options.secret;
    this.#now = options.now ?? Date.now;
  }

  async presignPut(key: string, opts: PresignPutOptions): Promise<PresignedPut> {
    assertContentType(opts.contentType);
    if (opts.contentLength !== undefined) assertContentLength(opts.contentLength);
    const grant: Grant = { method: 'PUT', key, ...this.#expiry(opts.expiresInSeconds, DEFAULT_PUT_EXPIRY_SECONDS), contentType: opts.contentType };
    if (opts.contentLength !== undefined) grant.contentLength = opts.contentLength;
    const headers: Record<string, string> = { 'Content-Type': opts.contentType };
    if (opts.contentLength !== undefined) headers['Content-Length'] = String(opts.contentLength);
    if (opts.sha256 !== undefined) {
      assertSha256(opts.sha256);
      // The same header as S3's, so a client uploads to either store alike.
      grant.checksum = headers['x-amz-checksum-sha256'] = checksumHeaderValue(opts.sha256);
    }
    return { url: this.#url(grant), method: 'PUT', headers };
  }

  async presignGet(key: string, opts: PresignGetOptions = {}): Promise<PresignedGet> {
    const grant: Grant = { method: 'GET', key, ...this.#expiry(opts.expiresInSeconds, DEFAULT_GET_EXPIRY_SECONDS) };
    if (opts.filename !== undefined) {
      // Refuse now a name the download could not serve, rather than when the patient clicks.
      contentDisposition(opts.filename);
      grant.filename = opts.filename;
    }
    return { url: this.#url(grant), expiresAt: new Date(grant.expires * 1000) };
  }

  /** Checks a request to a signed URL made by this store (or another sharing its secret). */
  verify(method: Grant['method'], key: string, query: URLSearchParams): Verdict {
    return verifyGrant(this.#secret, method, key, query, this.#now());
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.write(key, body, contentType);
  }

  /**
   * Stores `body` atomically, streaming it to disk, and returns its size. A body over `maxBytes`, not exactly
   * `expectedBytes` or not of the SHA-256 `expectedChecksum` (base64) throws {@link BlobRefusedError} and leaves any
   * previous object in place.
   */
  async write(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    contentType: string,
    limits: { maxBytes?: number; expectedBytes?: number; expectedChecksum?: string } = {},
  ): Promise<number> {
    assertContentType(contentType);
    const file = this.#file(key);
    const dir = dirname(file);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${basename(file)}.${randomUUID()}.tmp`);
    const metaTemp = `${temp}.meta`;
    try {
      const { size, checksum } = await writeLimited(temp, body, limits.maxBytes ?? Infinity);
      if (limits.expectedBytes !== undefined && size !== limits.expectedBytes) throw new BlobRefusedError('length-mismatch');
      if (limits.expectedChecksum !== undefined && checksum !== limits.expectedChecksum) throw new BlobRefusedError('checksum-mismatch');
      await writeFile(metaTemp, JSON.stringify({ contentType }), { flush: true });
      await rename(metaTemp, metaFile(file));
      await rename(temp, file);
      return size;
    } finally {
      await Promise.all([rm(temp, { force: true }), rm(metaTemp, { force: true })]);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const bytes = await orUndefined(readFile(this.#file(key)));
    return bytes && new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async head(key: string): Promise<BlobHead | undefined> {
    const file = this.#file(key);
    const stats = await orUndefined(stat(file));
    if (!stats?.isFile()) return undefined;
    return { size: stats.size, contentType: await readContentType(file) };
  }

  /** Opens the blob for streaming; size and bytes come from one file handle, so a concurrent overwrite cannot mix them. */
  async open(key: string): Promise<OpenBlob | undefined> {
    const file = this.#file(key);
    const contentType = await readContentType(file);
    const opened = await openFile(file);
    if (!opened) return undefined;
    const body = Readable.toWeb(opened.handle.createReadStream()) as ReadableStream<Uint8Array>;
    return { size: opened.size, contentType, body };
  }

  async stream(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    return (await openFile(this.#file(key)))?.handle.createReadStream();
  }

  async delete(key: string): Promise<void> {
    const file = this.#file(key);
    await rm(file, { force: true });
    await rm(metaFile(file), { force: true });
  }

  async check(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    await access(this.#root, constants.R_OK | constants.W_OK);
  }

  #file(key: string): string {
    assertBlobKey(key);
    return join(this.#root, ...key.split('/'));
  }

  #expiry(requested: number | undefined, fallback: number): { expires: number } {
    return { expires: Math.floor(this.#now() / 1000) + expirySeconds(requested, fallback) };
  }

  #url(grant: Grant): string {
    assertBlobKey(grant.key);
    return `${this.#prefix}/${grant.key}?${signGrant(this.#secret, grant)}`;
  }
}

/** A regular file opened for reading, with its size; undefined when there is none (missing, or a directory). */
async function openFile(file: string): Promise<{ handle: FileHandle; size: number } | undefined> {
  const handle = await orUndefined(open(file, 'r'));
  if (!handle) return undefined;
  const stats = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
  if (stats.isFile()) return { handle, size: stats.size };
  await handle.close();
  return undefined;
}
