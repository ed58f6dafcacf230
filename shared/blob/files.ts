import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';

const REFUSALS = {
  'too-large': 'Blob exceeds the allowed size',
  'length-mismatch': 'Blob length differs from the signed length',
  'checksum-mismatch': 'Blob SHA-256 differs from the signed checksum',
} as const;

/**
 * Thrown by `FsBlobStore.write` when the body is over its limit, not the promised length or not the promised
 * SHA-256; nothing is stored.
 *
 * @example
 * if (error instanceof BlobRefusedError && error.reason === 'too-large') return problem(c, 413, '…');
 */
export class BlobRefusedError extends Error {
  constructor(readonly reason: keyof typeof REFUSALS) {
    super(REFUSALS[reason]);
    this.name = 'BlobRefusedError';
  }
}

/** The sidecar holding a blob's content type; it starts with "." so no key can name it (see input.ts). */
export function metaFile(file: string): string {
  return join(dirname(file), `.${basename(file)}.meta.json`);
}

/** The stored content type, or `undefined` when the sidecar is missing. */
export async function readContentType(file: string): Promise<string | undefined> {
  const meta = await orUndefined(readFile(metaFile(file), 'utf8'));
  return meta === undefined ? undefined : (JSON.parse(meta) as { contentType?: string }).contentType;
}

/** Writes a new file (never an existing one), flushed to disk, and returns its size and SHA-256 (base64). */
export async function writeLimited(path: string, body: Uint8Array | ReadableStream<Uint8Array>, maxBytes: number): Promise<{ size: number; checksum: string }> {
  const hash = createHash('sha256');
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) throw new BlobRefusedError('too-large');
    await writeFile(path, body, { flag: 'wx', flush: true });
    return { size: body.byteLength, checksum: hash.update(body).digest('base64') };
  }
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.byteLength;
      hash.update(chunk);
      done(size > maxBytes ? new BlobRefusedError('too-large') : null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(body), limit, createWriteStream(path, { flags: 'wx', flush: true }));
  return { size, checksum: hash.digest('base64') };
}

/** `undefined` where a file or its folder is missing. */
export async function orUndefined<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    // ENOTDIR / EISDIR: the path runs through, or ends at, a folder made for longer keys.
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}
