/**
 * s3rver, the S3-protocol server of the "services" test profile, on the endpoint and bucket of `env.ts`, behind
 * the same presigned-URL signature check the blob tests use (s3rver 3 checks no V4 signatures itself).
 *
 *   node_modules/.bin/tsx test/services/s3.ts
 *
 * Data lives under os.tmpdir()/consilium-s3rver (override with S3RVER_DIR). Prints one `s3rver ready …` line once
 * it answers and exits 0 on SIGTERM or SIGINT.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveCheckedS3rver } from '../../shared/blob/testing/s3-server.ts';
import { servicesEnv } from './env.ts';

const endpoint = new URL(servicesEnv.S3_ENDPOINT);
const directory = process.env.S3RVER_DIR || join(tmpdir(), 'consilium-s3rver');
mkdirSync(directory, { recursive: true });

try {
  const served = await serveCheckedS3rver({
    directory,
    host: endpoint.hostname,
    port: Number(endpoint.port),
    buckets: [servicesEnv.S3_BUCKET],
  });
  const stop = () => {
    setTimeout(() => process.exit(0), 3000).unref();
    void served.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(`s3rver ready on ${served.url} bucket ${servicesEnv.S3_BUCKET} data ${directory}`);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(code === 'EADDRINUSE' ? `s3rver: ${endpoint.host} is already in use` : `s3rver: failed to start: ${String(error)}`);
  process.exit(1);
}
