import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { redisUrl } from '../../test/services/env.ts';
import { startUpstashBridge } from '../../test/services/upstash-bridge.ts';

/** An Upstash REST endpoint for tests, with what to call when done. */
export interface UpstashTarget {
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * The endpoint `UPSTASH_REDIS_REST_URL`/`_TOKEN` name when set (the "services" test profile, or a real Upstash),
 * otherwise a bridge of this process's own on a free port in front of the machine's Redis. Resolves to a reason to
 * skip only when neither is available, as the embedded-default test run allows.
 *
 * @example
 * const target = await upstashTarget();
 * if (typeof target === 'string') describe('upstash', { skip: target }, () => {});
 */
export async function upstashTarget(): Promise<UpstashTarget | string> {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  if (url) {
    const token = process.env.UPSTASH_REDIS_REST_TOKEN;
    if (!token) throw new Error('UPSTASH_REDIS_REST_URL is set without UPSTASH_REDIS_REST_TOKEN');
    return { url, token, close: async () => {} };
  }
  const token = randomUUID();
  try {
    const bridge = await startUpstashBridge({ port: 0, token, redisUrl });
    return { url: bridge.url, token, close: bridge.close };
  } catch (error) {
    return `no Redis at ${redisUrl} and UPSTASH_REDIS_REST_URL unset (${(error as Error).message})`;
  }
}

/**
 * Deletes every key under `root` (tests' keys without a TTL would otherwise stay in the shared Redis for good).
 *
 * @example
 * after(() => deleteKeys(upstashClient(kv)!, 'kv-test:3f2c…'));
 */
export async function deleteKeys(redis: Redis, root: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, { match: `${root}:*`, count: 1000 });
    if (keys.length > 0) await redis.del(...keys);
    cursor = String(next);
  } while (cursor !== '0');
}
