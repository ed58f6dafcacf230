import { Ratelimit } from '@upstash/ratelimit';
import { upstashClient, type Kv } from '../kv/index.ts';

/** At most `limit` requests per `windowSeconds` for one key (a fixed window). */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/** The verdict on one request; `retryAfterSeconds` is what the 429's `Retry-After` says. */
export interface RateVerdict {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/** Counts requests per key; the same behaviour on Redis and in memory. */
export interface RateLimiter {
  /** Counts one request for `key` and says whether it may proceed. */
  hit(key: string): Promise<RateVerdict>;
  /** Forgets `key`'s window (an admin unlock, tests). */
  reset(key: string): Promise<void>;
}

/**
 * A rate limiter on the configured store: `@upstash/ratelimit` when `kv` is Redis over Upstash REST, otherwise a
 * fixed window counted with `kv.incr(key, { ttlSeconds })` (the memory adapter, one process). `name` separates the
 * counters of different limits.
 *
 * @example
 * const logins = createRateLimiter(createKv(config()), 'login-ip', { limit: 20, windowSeconds: 300 });
 * const verdict = await logins.hit(clientIp);
 * if (!verdict.allowed) throw problems.tooManyRequests(verdict.retryAfterSeconds);
 */
export function createRateLimiter(kv: Kv, name: string, rule: RateRule): RateLimiter {
  if (!Number.isSafeInteger(rule.limit) || rule.limit < 1) throw new RangeError('rate limit: limit must be a positive integer');
  if (!Number.isSafeInteger(rule.windowSeconds) || rule.windowSeconds < 1) throw new RangeError('rate limit: windowSeconds must be a positive integer');
  const prefix = `rl:${name}`;
  const redis = upstashClient(kv);
  if (redis) {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.fixedWindow(rule.limit, `${rule.windowSeconds} s`),
      prefix,
      // The in-process cache of blocked keys would outlive reset(); Redis is the only truth.
      ephemeralCache: false,
    });
    return {
      async hit(key) {
        const result = await limiter.limit(key);
        return {
          allowed: result.success,
          remaining: Math.max(0, result.remaining),
          retryAfterSeconds: Math.max(1, Math.ceil((result.reset - Date.now()) / 1000)),
        };
      },
      async reset(key) {
        await limiter.resetUsedTokens(key);
      },
    };
  }
  return {
    async hit(key) {
      const counter = `${prefix}:${key}`;
      const count = await kv.incr(counter, { ttlSeconds: rule.windowSeconds });
      const allowed = count <= rule.limit;
      const ttl = allowed ? rule.windowSeconds : await kv.ttl(counter);
      return { allowed, remaining: Math.max(0, rule.limit - count), retryAfterSeconds: ttl > 0 ? ttl : rule.windowSeconds };
    },
    async reset(key) {
      await kv.del(`${prefix}:${key}`);
    },
  };
}
