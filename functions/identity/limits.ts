import { createHash } from 'node:crypto';
import { createRateLimiter, type RateLimiter, type RateRule } from '../../shared/auth/rate-limit.ts';
import { problems } from '../../shared/http/problem.ts';
import type { Kv } from '../../shared/kv/index.ts';

/** Per-IP and per-account limits of the endpoints attackers hammer. */
export interface IdentityLimits {
  registerIp: RateRule;
  loginIp: RateRule;
  loginAccount: RateRule;
  refreshIp: RateRule;
  refreshAccount: RateRule;
  mfaAccount: RateRule;
  /** Failed sign-ins per account before it is slowed down. */
  lockoutThreshold: number;
  /** Longest slow-down, and how long failures are remembered. */
  lockoutMaxSeconds: number;
}

export const DEFAULT_LIMITS: IdentityLimits = {
  registerIp: { limit: 20, windowSeconds: 3600 },
  loginIp: { limit: 60, windowSeconds: 300 },
  loginAccount: { limit: 20, windowSeconds: 300 },
  refreshIp: { limit: 120, windowSeconds: 60 },
  refreshAccount: { limit: 30, windowSeconds: 60 },
  // 6-digit codes: 10 tries per 5 minutes leaves an attacker ~1 in 10^5 per window.
  mfaAccount: { limit: 10, windowSeconds: 300 },
  lockoutThreshold: 5,
  lockoutMaxSeconds: 900,
};

export type Limiters = Record<Exclude<keyof IdentityLimits, 'lockoutThreshold' | 'lockoutMaxSeconds'>, RateLimiter> & {
  lockout: Lockout;
};

/**
 * Builds every limiter identity uses on one store (Redis through Upstash, or memory).
 *
 * @example
 * const limiters = createLimiters(createKv(config()));
 */
export function createLimiters(kv: Kv, limits: IdentityLimits = DEFAULT_LIMITS): Limiters {
  const make = (name: keyof IdentityLimits & string, rule: RateRule) => createRateLimiter(kv, `identity-${name}`, rule);
  return {
    registerIp: make('registerIp', limits.registerIp),
    loginIp: make('loginIp', limits.loginIp),
    loginAccount: make('loginAccount', limits.loginAccount),
    refreshIp: make('refreshIp', limits.refreshIp),
    refreshAccount: make('refreshAccount', limits.refreshAccount),
    mfaAccount: make('mfaAccount', limits.mfaAccount),
    lockout: createLockout(kv, limits.lockoutThreshold, limits.lockoutMaxSeconds),
  };
}

/**
 * Counts one request against `limiter` and answers 429 with `Retry-After` when it is over.
 *
 * @example
 * await enforce(limiters.loginIp, clientIp(c));
 */
export async function enforce(limiter: RateLimiter, key: string): Promise<void> {
  const verdict = await limiter.hit(key);
  if (!verdict.allowed) throw problems.tooManyRequests(verdict.retryAfterSeconds);
}

/**
 * A key for an account that reveals nothing and exists whether or not an account does (so known and unknown
 * e-mails are limited alike).
 *
 * @example
 * accountKey('Ada@Example.org') === accountKey('ada@example.org'); // true
 */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

/** Progressive slow-down of an account after repeated failed sign-ins. */
export interface Lockout {
  /** Seconds until the account may try again; 0 when it may now. */
  retryAfter(key: string): Promise<number>;
  /** Records a failure; says how many there were and, when the account is now slowed down, for how long. */
  failed(key: string): Promise<{ failures: number; lockedForSeconds: number }>;
  /** A success forgets the failures. */
  succeeded(key: string): Promise<void>;
}

/**
 * After `threshold` failures within `maxSeconds`, each further failure locks the account for twice as long as the
 * one before (2 s, 4 s, 8 s … up to `maxSeconds`), so guessing slows to a crawl while the owner is only delayed.
 *
 * @example
 * const lockout = createLockout(kv, 5, 900);
 */
export function createLockout(kv: Kv, threshold: number, maxSeconds: number): Lockout {
  const failures = (key: string) => `identity:failures:${key}`;
  const lock = (key: string) => `identity:lock:${key}`;
  return {
    async retryAfter(key) {
      const ttl = await kv.ttl(lock(key));
      return ttl > 0 ? ttl : 0;
    },
    async failed(key) {
      const count = await kv.incr(failures(key), { ttlSeconds: maxSeconds });
      if (count < threshold) return { failures: count, lockedForSeconds: 0 };
      const seconds = Math.min(maxSeconds, 2 ** (count - threshold + 1));
      await kv.set(lock(key), 1, { ttlSeconds: seconds });
      return { failures: count, lockedForSeconds: seconds };
    },
    async succeeded(key) {
      await kv.del(failures(key));
    },
  };
}
