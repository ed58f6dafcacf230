/** Options for {@link Kv.set}. */
export interface SetOptions {
  /** Expire the key after this many whole seconds (a positive integer). Without it the key never expires. */
  ttlSeconds?: number;
  /** Write only when the key does not exist (Redis `SET … NX`). */
  onlyIfAbsent?: boolean;
}

/** Options for {@link Kv.incr}. */
export interface IncrOptions {
  /** Expiry given to the counter when this call creates it; an existing counter keeps its own (fixed window). */
  ttlSeconds?: number;
}

/**
 * The cache and rate-limit store. Values are JSON: what `get` returns is what `JSON.parse(JSON.stringify(value))`
 * gives back (a copy), so a `Date` comes back as its ISO string. Keys and TTLs follow Redis semantics.
 *
 * @example
 * const kv = createKv(config());
 * await kv.set(`case:${id}:summary`, summary, { ttlSeconds: 300 });
 * const cached = await kv.get<Summary>(`case:${id}:summary`);
 */
export interface Kv {
  /** The stored value, or `null` when the key is missing or expired. */
  get<T = unknown>(key: string): Promise<T | null>;
  /** Stores `value` (replacing any TTL the key had); `false` only when `onlyIfAbsent` and the key existed. */
  set(key: string, value: unknown, opts?: SetOptions): Promise<boolean>;
  /** Removes the key; a missing key is not an error. */
  del(key: string): Promise<void>;
  /** Adds one to an integer counter (creating it at 1) and returns the new count; rejects on a non-integer value. */
  incr(key: string, opts?: IncrOptions): Promise<number>;
  /** Seconds left before the key expires: `-1` when it never expires, `-2` when it is missing (as Redis `TTL`). */
  ttl(key: string): Promise<number>;
  /** Resolves when the store answers; rejects when it cannot be reached (readiness probes). */
  check(): Promise<void>;
}

/**
 * The JSON text both adapters store, so a value written by one reads the same through the other.
 *
 * @example
 * encodeValue({ a: 1 }); // '{"a":1}'
 */
export function encodeValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`kv: a ${typeof value} value cannot be stored as JSON`);
  return text;
}

/**
 * Reads stored text the way @upstash/redis's automatic deserialisation does (including its rule that a number which
 * would not print back identically stays a string), so the memory adapter returns exactly what Redis would.
 *
 * @example
 * decodeValue('"123"'); // '123'
 * decodeValue('9007199254740993'); // '9007199254740993' (not representable as a number)
 */
export function decodeValue(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'number' && String(parsed) !== text ? text : parsed;
  } catch {
    return text;
  }
}

/**
 * Rejects a TTL Redis would refuse (`EX` takes a positive integer), so both adapters fail alike.
 *
 * @example
 * assertTtl(60); // ok
 * assertTtl(0); // throws RangeError
 */
export function assertTtl(ttlSeconds: number | undefined): void {
  if (ttlSeconds === undefined) return;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`kv: ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  }
}
