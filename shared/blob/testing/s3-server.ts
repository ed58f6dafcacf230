import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { S3BlobStore, type S3BlobStoreOptions } from '../s3.ts';
import { listenLocal } from '../../../test/support/listen.ts';
import { verifyPresignedV4 } from './sigv4.ts';

/** An S3 API for one test file, and how to let it go. */
export interface S3TestServer {
  options: S3BlobStoreOptions;
  stop(): Promise<void>;
}

/**
 * The S3 API named by `S3_ENDPOINT` and the other `S3_*` variables when set; otherwise s3rver on a free
 * port with its data in a temp folder and a fresh bucket, behind {@link verifyPresignedV4} (s3rver 3
 * does not check V4 signatures itself). Call `ensureBucket()` on the store either way.
 *
 * @example
 * const server = await startS3TestServer();
 * after(() => server.stop());
 * const store = new S3BlobStore(server.options);
 */
export async function startS3TestServer(env: Record<string, string | undefined> = process.env): Promise<S3TestServer> {
  if (env.S3_ENDPOINT) {
    const missing = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].filter((name) => !env[name]);
    if (missing.length > 0) throw new Error(`S3_ENDPOINT is set, so ${missing.join(', ')} must be too`);
    const options = {
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET!,
      region: env.S3_REGION || 'us-east-1',
      accessKeyId: env.S3_ACCESS_KEY_ID!,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    };
    return { options, stop: async () => {} };
  }

  const directory = await mkdtemp(join(tmpdir(), 'consilium-s3rver-'));
  const served = await serveCheckedS3rver({ directory, port: 0 });
  return {
    options: {
      endpoint: served.url,
      bucket: `consilium-test-${randomUUID().slice(0, 8)}`,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    },
    async stop() {
      await served.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver with its data in `directory`, behind {@link verifyPresignedV4}: presigned URLs whose signature does not
 * cover what the client sends (another Content-Type, another length) are refused with 403, as S3 does.
 * Used by the tests and by `test/services/s3.ts` for the services profile.
 */
export async function serveCheckedS3rver(options: { directory: string; port: number; host?: string; buckets?: string[] }) {
  const s3rver = new S3rver({ directory: options.directory, silent: true, vhostBuckets: false });
  const handle = s3rver.callback();
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://unused').searchParams.has('X-Amz-Signature')) {
      const verdict = verifyPresignedV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, (id) => (id === 'S3RVER' ? 'S3RVER' : undefined));
      if (!verdict.ok) {
        res.writeHead(403, { 'Content-Type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${verdict.code}</Code><Message>${verdict.message}</Message></Error>`);
        req.resume();
        return;
      }
    }
    handle(req, res);
  });
  const listening = await listenLocal(server, options.port, options.host);
  // s3rver makes its `configureBuckets` only in run(), which we do not use (the signature check sits in front).
  for (const bucket of options.buckets ?? []) {
    const store = new S3BlobStore({ endpoint: listening.url, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    await store.ensureBucket();
    store.destroy();
  }
  return { url: listening.url, stop: listening.close };
}
