import { Hono } from 'hono';
import { contentDisposition } from './disposition.ts';
import { BlobRefusedError, type FsBlobStore } from './fs.ts';
import { MAX_PUT_BYTES } from './input.ts';
import { problem } from './problem.ts';
import type { Verdict } from './signature.ts';

export interface BlobRoutesOptions {
  /** Largest upload accepted, in bytes, whatever the URL allows. Default 5 GiB. */
  maxBytes?: number;
}

const REFUSED = {
  invalid: 'The URL signature is invalid for this request',
  expired: 'The signed URL has expired',
} as const;

/**
 * Serves the signed URLs of an {@link FsBlobStore}: PUT uploads, GET downloads. Mount it where the store's `urlPrefix` points.
 *
 * @example
 * const store = new FsBlobStore({ root: '.data/blobs', urlPrefix: 'http://localhost:8080/_blob', secret });
 * app.route('/_blob', blobRoutes(store, { maxBytes: 100 * 1024 ** 2 }));
 */
export function blobRoutes(store: FsBlobStore, options: BlobRoutesOptions = {}): Hono {
  const maxBytes = options.maxBytes ?? MAX_PUT_BYTES;
  const app = new Hono();

  app.put('/:key{.+}', async function uploadBlob(c) {
    const verdict: Verdict = store.verify('PUT', c.req.param('key'), new URL(c.req.url).searchParams);
    if (!verdict.ok) return problem(c, 403, REFUSED[verdict.reason]);
    const { key, contentType, contentLength, checksum } = verdict.grant;
    if (contentType === undefined) return problem(c, 403, REFUSED.invalid);
    // As S3 does with a signed header: the URL is only good with the header it was signed with.
    if (checksum !== undefined && c.req.header('x-amz-checksum-sha256') !== checksum) return problem(c, 403, REFUSED.invalid);
    if (c.req.header('content-type')?.trim() !== contentType) {
      return problem(c, 415, 'Content-Type must be the one the URL was signed for');
    }
    const declared = c.req.header('content-length');
    const limit = Math.min(maxBytes, contentLength ?? Infinity);
    if (declared !== undefined && Number(declared) > limit) return problem(c, 413, `The upload may be at most ${limit} bytes`);
    try {
      await store.write(key, c.req.raw.body ?? new Uint8Array(), contentType, { maxBytes: limit, expectedBytes: contentLength, expectedChecksum: checksum });
    } catch (error) {
      if (!(error instanceof BlobRefusedError)) throw error;
      if (error.reason === 'too-large') return problem(c, 413, `The upload may be at most ${limit} bytes`);
      if (error.reason === 'checksum-mismatch') return problem(c, 400, 'The SHA-256 of the upload differs from the x-amz-checksum-sha256 header (S3: BadDigest)');
      return problem(c, 400, `The upload must be exactly ${contentLength} bytes`);
    }
    return c.body(null, 200);
  });

  app.get('/:key{.+}', async function downloadBlob(c) {
    const verdict: Verdict = store.verify('GET', c.req.param('key'), new URL(c.req.url).searchParams);
    if (!verdict.ok) return problem(c, 403, REFUSED[verdict.reason]);
    const blob = await store.open(verdict.grant.key);
    if (!blob) return problem(c, 404, 'No blob at this URL');
    const headers: Record<string, string> = {
      'Content-Type': blob.contentType ?? 'application/octet-stream',
      'Content-Length': String(blob.size),
      // Health data: never kept by shared caches or sniffed into something executable.
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    };
    if (verdict.grant.filename !== undefined) headers['Content-Disposition'] = contentDisposition(verdict.grant.filename);
    if (c.req.method === 'HEAD') {
      // Hono answers HEAD with this GET handler; release the file handle no one will read.
      await blob.body.cancel();
      return c.body(null, 200, headers);
    }
    return c.body(blob.body, 200, headers);
  });

  return app;
}
