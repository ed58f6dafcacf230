import type { Context } from 'hono';

/**
 * The caller's address as our ingress saw it: the last `X-Forwarded-For` hop is the one our own proxy appended
 * (earlier hops are whatever the client claimed, so a caller cannot pick a fresh address per request to dodge a
 * rate limit or a fraud rule).
 *
 * @example
 * clientIp(c); // '203.0.113.7'
 */
export function clientIp(c: Context): string {
  const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean);
  return forwarded?.at(-1) ?? c.req.header('x-real-ip') ?? 'unknown';
}
