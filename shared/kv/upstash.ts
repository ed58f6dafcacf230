import { Redis, type RedisConfigNodejs } from '@upstash/redis';
import { assertTtl, encodeValue, type Kv } from './kv.ts';

/** Where the Upstash REST endpoint is, and how hard to retry network failures. */
export interface UpstashKvOptions {
  url: string;
  token: string;
  /** @upstash/redis' retry on network errors (default: 5 retries with exponential backoff); `false` fails at once. */
  retry?: RedisConfigNodejs['retry'];
}

const clients = new WeakMap<Kv, Redis>();

/**
 * The production {@link Kv}: Redis over the Upstash REST protocol. Each call is one HTTP request (batched by the
 * client's auto-pipelining), so nothing connects until the first command.
 *
 * Values are stored as their JSON text and read back through @upstash/redis' automatic deserialisation; serialising
 * here first keeps a string such as `"123"` a string instead of letting the client turn it into a number.
 *
 * @example
 * const kv = createUpstashKv({ url: 'https://eu1-example.upstash.io', token });
 * await kv.set('flags', { triage: true }, { ttlSeconds: 60 });
 */
export function createUpstashKv(options: UpstashKvOptions): Kv {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    // The SDK would otherwise report runtime and platform headers to the REST endpoint on every request.
    enableTelemetry: false,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
  const kv: Kv = {
    async get<T>(key: string) {
      return (await redis.get<T>(key)) ?? null;
    },
    async set(key, value, opts = {}) {
      assertTtl(opts.ttlSeconds);
      const text = encodeValue(value);
      const ex = opts.ttlSeconds;
      const reply = opts.onlyIfAbsent
        ? await (ex === undefined ? redis.set(key, text, { nx: true }) : redis.set(key, text, { nx: true, ex }))
        : await (ex === undefined ? redis.set(key, text) : redis.set(key, text, { ex }));
      return reply !== null;
    },
    async del(key) {
      await redis.del(key);
    },
    async incr(key, opts = {}) {
      assertTtl(opts.ttlSeconds);
      if (opts.ttlSeconds === undefined) return redis.incr(key);
      // One transaction: SET NX creates the counter with its expiry only if it is absent, INCR keeps that expiry.
      const [, count] = await redis
        .multi()
        .set(key, 0, { nx: true, ex: opts.ttlSeconds })
        .incr(key)
        .exec<[unknown, number]>();
      return count;
    },
    async ttl(key) {
      return redis.ttl(key);
    },
    async check() {
      const reply = await redis.ping();
      if (reply !== 'PONG') throw new Error(`kv: unexpected PING reply from ${options.url}: ${String(reply)}`);
    },
  };
  clients.set(kv, redis);
  return kv;
}

/**
 * The `@upstash/redis` client behind an Upstash {@link Kv}, for libraries that need Redis itself, such as
 * `@upstash/ratelimit`; `undefined` for the memory adapter.
 *
 * @upstash/ratelimit has no in-memory store: it runs Lua scripts on Redis, and its `ephemeralCache` option is only a
 * `Map` of identifiers already blocked, kept in front of Redis (declare it at module scope so it outlives a request).
 * So a rate limiter must fall back when this returns `undefined`: a fixed window on
 * `kv.incr(key, { ttlSeconds: windowSeconds })` behaves the same on both adapters.
 *
 * @example
 * const redis = upstashClient(kv);
 * const limiter = redis
 *   ? new Ratelimit({ redis, limiter: Ratelimit.fixedWindow(10, '60 s'), ephemeralCache: blocked })
 *   : undefined; // memory mode: (await kv.incr(`rl:${ip}`, { ttlSeconds: 60 })) <= 10
 */
export function upstashClient(kv: Kv): Redis | undefined {
  return clients.get(kv);
}
