import { assertTtl, decodeValue, encodeValue, type Kv } from './kv.ts';

/** Tuning for {@link createMemoryKv}; the defaults suit one local process. */
export interface MemoryKvOptions {
  /** Most keys kept; beyond it the least recently used key is dropped. Default 10 000. */
  maxKeys?: number;
  /** How often expired keys nobody reads again are removed. Default 30 s. */
  sweepIntervalMs?: number;
  /** The clock, in epoch milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

/** The in-memory {@link Kv}, with its current key count (expired keys count until read or swept). */
export interface MemoryKv extends Kv {
  readonly size: number;
}

interface Entry {
  /** The JSON text, exactly what the Upstash adapter would store in Redis. */
  text: string;
  expiresAt: number | undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// Redis' string2ll: no sign on zero, no leading zeros, no spaces, no "+".
const REDIS_INTEGER = /^(?:0|-?[1-9][0-9]{0,18})$/;

/**
 * The embedded {@link Kv}: one process's memory, with Redis semantics for every method. TTLs expire lazily on read
 * and by an unref'd sweep that runs only while keys exist; size is capped by least-recently-used eviction.
 *
 * An evicted or lost counter only resets a rate-limit window, which is acceptable for the embedded default.
 *
 * @example
 * const kv = createMemoryKv({ maxKeys: 1000 });
 * await kv.incr('login:203.0.113.7', { ttlSeconds: 60 }); // 1
 */
export function createMemoryKv(options: MemoryKvOptions = {}): MemoryKv {
  const { maxKeys = 10_000, sweepIntervalMs = 30_000, now = Date.now } = options;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError('kv: maxKeys must be a positive integer');
  if (!(sweepIntervalMs > 0)) throw new RangeError('kv: sweepIntervalMs must be positive');

  // Map order is recency order: every read or write moves the key to the end, so the first key is evicted first.
  const entries = new Map<string, Entry>();
  let sweeper: NodeJS.Timeout | undefined;

  const expired = (entry: Entry, at: number) => entry.expiresAt !== undefined && at > entry.expiresAt;

  const sweep = () => {
    const at = now();
    for (const [key, entry] of entries) if (expired(entry, at)) entries.delete(key);
    if (entries.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    if (expired(entry, now())) return undefined;
    entries.set(key, entry);
    return entry;
  };

  const write = (key: string, entry: Entry) => {
    entries.delete(key);
    if (entries.size >= maxKeys) sweep();
    for (const oldest of entries.keys()) {
      if (entries.size < maxKeys) break;
      entries.delete(oldest);
    }
    entries.set(key, entry);
    sweeper ??= setInterval(sweep, sweepIntervalMs).unref();
  };

  const expiry = (ttlSeconds: number | undefined) => (ttlSeconds === undefined ? undefined : now() + ttlSeconds * 1000);

  return {
    get size() {
      return entries.size;
    },
    async get<T>(key: string) {
      const entry = read(key);
      return entry ? (decodeValue(entry.text) as T) : null;
    },
    async set(key, value, opts = {}) {
      assertTtl(opts.ttlSeconds);
      const text = encodeValue(value);
      if (opts.onlyIfAbsent && read(key)) return false;
      write(key, { text, expiresAt: expiry(opts.ttlSeconds) });
      return true;
    },
    async del(key) {
      entries.delete(key);
    },
    async incr(key, opts = {}) {
      assertTtl(opts.ttlSeconds);
      const entry = read(key);
      const current = entry ? toInteger(entry.text) : 0n;
      const next = current + 1n;
      if (next > INT64_MAX) throw new Error('ERR increment or decrement would overflow');
      write(key, { text: String(next), expiresAt: entry ? entry.expiresAt : expiry(opts.ttlSeconds) });
      return Number(next);
    },
    async ttl(key) {
      const entry = read(key);
      if (!entry) return -2;
      if (entry.expiresAt === undefined) return -1;
      // Redis rounds the remaining milliseconds to the nearest second.
      return Math.floor((Math.max(0, entry.expiresAt - now()) + 500) / 1000);
    },
    async check() {},
  };
}

function toInteger(text: string): bigint {
  const value = REDIS_INTEGER.test(text) ? BigInt(text) : undefined;
  if (value === undefined || value < INT64_MIN || value > INT64_MAX) {
    throw new Error('ERR value is not an integer or out of range');
  }
  return value;
}
