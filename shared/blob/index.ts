import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import { FsBlobStore } from './fs.ts';
import type { BlobStore } from './port.ts';
import { S3BlobStore } from './s3.ts';

export type { BlobHead, BlobStore, PresignedGet, PresignedPut, PresignGetOptions, PresignPutOptions } from './port.ts';
export { BlobInputError, assertBlobKey, MAX_EXPIRY_SECONDS, MAX_PUT_BYTES } from './input.ts';
export { BlobRefusedError, FsBlobStore, type FsBlobStoreOptions, type OpenBlob } from './fs.ts';
export { S3BlobStore, type S3BlobStoreOptions } from './s3.ts';
export { blobRoutes, type BlobRoutesOptions } from './routes.ts';

/** Where the local runtime mounts `blobRoutes`. */
export const BLOB_ROUTES_PATH = '/_blob';

/**
 * The blob store `config` asks for: S3 when `config.s3` is set, else files under `<dataDir>/blobs`
 * whose signed URLs point at `<publicUrl>/_blob`. Connects to nothing until first used.
 *
 * @example
 * const blobs = createBlobStore(config());
 * if (blobs instanceof FsBlobStore) app.route(BLOB_ROUTES_PATH, blobRoutes(blobs));
 * const upload = await blobs.presignPut(`cases/${caseId}/documents/${documentId}`, { contentType: 'application/pdf' });
 */
export function createBlobStore(config: Config): BlobStore {
  if (config.s3) return new S3BlobStore(config.s3);
  const base = (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
  return new FsBlobStore({
    root: join(config.dataDir, 'blobs'),
    urlPrefix: `${base}${BLOB_ROUTES_PATH}`,
    secret: config.platformSecret,
  });
}
