/**
 * s3rver, the S3-protocol server of the "services" test profile, on the endpoint and bucket of `env.ts`.
 *
 *   npx tsx test/services/s3.ts
 *
 * Data lives under os.tmpdir()/consilium-s3rver (override with S3RVER_DIR) and survives restarts; the bucket
 * is (re)created on start. Prints one line, `s3rver ready on http://127.0.0.1:4568 bucket consilium data …`,
 * once it answers, and exits 0 on SIGTERM or SIGINT. Clients use path-style addressing (`forcePathStyle: true`)
 * with any credentials (s3rver accepts S3RVER/S3RVER, see env.ts).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servicesEnv } from './env.ts';

interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  resetOnClose: boolean;
  allowMismatchedSignatures: boolean;
  configureBuckets: { name: string; configs?: (string | Buffer)[] }[];
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: { closeAllConnections?: () => void };
  on(event: 'error', listener: (error: unknown) => void): unknown;
}
// s3rver is CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: S3rverOptions) => S3rverInstance;

const endpoint = new URL(servicesEnv.S3_ENDPOINT);
const address = endpoint.hostname;
const port = Number(endpoint.port || 80);
const bucket = servicesEnv.S3_BUCKET;
const directory = process.env.S3RVER_DIR || join(tmpdir(), 'consilium-s3rver');

mkdirSync(directory, { recursive: true });

const server = new S3rver({
  address,
  port,
  directory,
  silent: true,
  resetOnClose: false,
  allowMismatchedSignatures: false,
  configureBuckets: [{ name: bucket }],
});
// Request-level errors are answered as S3 XML errors already; keep Koa from printing them.
server.on('error', () => {});

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Don't wait for idle keep-alive sockets of clients, and never hang on shutdown.
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  try {
    const closing = server.close();
    server.httpServer?.closeAllConnections?.();
    await closing;
  } catch (error) {
    console.error(`s3rver: error while stopping on ${signal}:`, error);
  }
  process.exit(0);
}
// s3rver's run() never rejects on a listen error: the server emits it, uncaught.
process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') console.error(`s3rver: ${address}:${port} is already in use`);
  else console.error('s3rver: fatal:', error);
  process.exit(1);
});
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

try {
  const bound = await server.run();
  console.log(`s3rver ready on http://${bound.address}:${bound.port} bucket ${bucket} data ${directory}`);
} catch (error) {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error(`s3rver: ${address}:${port} is already in use`);
  else console.error(`s3rver: failed to start on ${address}:${port}:`, error);
  process.exit(1);
}
