import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { listenLocal } from '../support/listen.ts';
import { redisUrl as machineRedisUrl, servicesEnv } from './env.ts';

/** Where {@link startUpstashBridge} listens and which Redis it fronts. */
export interface UpstashBridgeOptions {
  /** 0 picks a free port. */
  port: number;
  /** The bearer token clients must send. */
  token: string;
  redisUrl: string;
  /** Default 127.0.0.1. */
  host?: string;
}

/** A running bridge. */
export interface UpstashBridge {
  /** The REST URL to give `@upstash/redis` (`UPSTASH_REDIS_REST_URL`). */
  url: string;
  /** Stops listening, drops kept-alive connections and closes the Redis connection. */
  close(): Promise<void>;
}

type Command = string[];
type Reply = { result: unknown } | { error: string };

class BadRequest extends Error {}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
// Every request shares one Redis connection: commands that would change its state or block it are refused.
const REFUSED = new Set(
  'AUTH HELLO SELECT RESET QUIT CLIENT MULTI EXEC DISCARD WATCH UNWATCH MONITOR SYNC PSYNC WAIT WAITAOF SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP'.split(' '),
);

/**
 * Serves the Upstash REST protocol (what serverless-redis-http does in production) in front of a real Redis, so
 * tests drive the real `@upstash/redis` client: `POST /` with one command, `POST /pipeline` and `POST /multi-exec`
 * with a list, a bearer token, and base64 replies when the client sends `Upstash-Encoding: base64`.
 * Resolves once Redis answers.
 *
 * @example
 * const bridge = await startUpstashBridge({ port: 0, token: 't', redisUrl: 'redis://127.0.0.1:6379' });
 * const redis = new Redis({ url: bridge.url, token: 't' }); // from @upstash/redis
 * await bridge.close();
 */
export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
  const redis = new Redis(options.redisUrl, {
    protocol: 2, // the REST protocol carries RESP2 shapes: maps as flat arrays, doubles as strings
    maintNotifications: 'disabled',
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  // Failures reach the caller through each command; without a listener ioredis logs every reconnect attempt.
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (cause) {
    redis.disconnect();
    throw new Error(`upstash-bridge: cannot reach Redis at ${options.redisUrl}`, { cause });
  }
  const expected = digest(`Bearer ${options.token}`);
  const server = createServer((req, res) => {
    if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      return send(res, 401, { error: 'Unauthorized' });
    }
    handle(req, redis).then(
      ({ status, body }) => send(res, status, body),
      (error: unknown) =>
        error instanceof BadRequest ? send(res, 400, { error: error.message }) : send(res, 500, { error: String(error) }),
    );
  });
  const listening = await listenLocal(server, options.port, options.host);
  return {
    url: listening.url,
    async close() {
      await listening.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function handle(req: IncomingMessage, redis: Redis): Promise<{ status: number; body: unknown }> {
  if (req.method !== 'POST') return { status: 405, body: { error: 'Only POST is supported' } };
  const path = new URL(req.url ?? '/', 'http://bridge').pathname.replace(/\/+$/, '') || '/';
  const base64 = String(req.headers['upstash-encoding']).toLowerCase() === 'base64';
  const body = await readJson(req);
  const encode = (reply: Reply): Reply => ('error' in reply ? reply : { result: encodeResult(reply.result, base64) });

  if (path === '/') {
    const reply = await run(redis, asCommand(body));
    return { status: 'error' in reply ? 400 : 200, body: encode(reply) };
  }
  if (path === '/pipeline') {
    // Issued together on one connection, so Redis runs them in order; each succeeds or fails on its own.
    const replies = await Promise.all(asCommands(body).map((command) => run(redis, command)));
    return { status: 200, body: replies.map(encode) };
  }
  if (path === '/multi-exec') {
    const transaction = redis.multi();
    for (const [name, ...args] of asCommands(body)) transaction.callBuffer(name!, ...args);
    try {
      const results = (await transaction.exec()) ?? [];
      return { status: 200, body: results.map(([error, result]) => encode(error ? { error: error.message } : { result })) };
    } catch (error) {
      // EXECABORT: a command was rejected while queueing, so nothing ran; that is the caller's error.
      if ((error as Error).message.startsWith('EXECABORT')) return { status: 400, body: { error: (error as Error).message } };
      throw error;
    }
  }
  return { status: 404, body: { error: `No route for ${path}` } };
}

async function run(redis: Redis, [name, ...args]: Command): Promise<Reply> {
  try {
    return { result: await redis.callBuffer(name!, ...args) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function asCommands(body: unknown): Command[] {
  if (!Array.isArray(body) || body.length === 0) throw new BadRequest('ERR expected a non-empty array of commands');
  return body.map(asCommand);
}

function asCommand(body: unknown): Command {
  const valid = (arg: unknown) => typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean';
  if (!Array.isArray(body) || body.length === 0 || !body.every(valid)) {
    throw new BadRequest('ERR a command is a non-empty array of strings and numbers');
  }
  // Upper case also keeps ioredis from reshaping replies: its transformers (HGETALL into an object) match lower case.
  const [name, ...args] = body.map(String);
  const command = [name!.toUpperCase(), ...args];
  if (REFUSED.has(command[0]!)) throw new BadRequest(`ERR ${command[0]} is not supported over the REST bridge`);
  return command;
}

/** Bulk and status strings become base64 (or UTF-8 text); integers and nil pass through, as Upstash answers. */
function encodeResult(value: unknown, base64: boolean): unknown {
  if (Buffer.isBuffer(value)) return value.toString(base64 ? 'base64' : 'utf8');
  if (typeof value === 'string') return base64 ? Buffer.from(value).toString('base64') : value;
  if (value instanceof Error) return encodeResult(value.message, base64);
  if (Array.isArray(value)) return value.map((item) => encodeResult(item, base64));
  return value;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest('ERR request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('ERR request body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

// Fixed-length digests, so comparing tokens takes the same time whatever the caller sent.
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const address = new URL(servicesEnv.UPSTASH_REDIS_REST_URL);
  const bridge = await startUpstashBridge({
    host: address.hostname,
    // UPSTASH_BRIDGE_PORT=0 picks a free port (the script's own test), the ready line says which.
    port: Number(process.env.UPSTASH_BRIDGE_PORT ?? address.port),
    token: servicesEnv.UPSTASH_REDIS_REST_TOKEN,
    redisUrl: machineRedisUrl,
  });
  console.log(`upstash-bridge ready: ${bridge.url} -> ${machineRedisUrl}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void bridge.close().then(() => process.exit(0)));
  }
}
