import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed local URL allows: one method on one key until `expires` (Unix seconds). */
export interface Grant {
  method: 'GET' | 'PUT';
  key: string;
  expires: number;
  /** PUT: the only Content-Type the upload may carry. */
  contentType?: string;
  /** PUT: the exact byte count the upload must have. */
  contentLength?: number;
  /** PUT: the SHA-256 the body must have, base64 as in S3's `x-amz-checksum-sha256` header. */
  checksum?: string;
  /** GET: served as the attachment's filename. */
  filename?: string;
}

export type Verdict = { ok: true; grant: Grant } | { ok: false; reason: 'invalid' | 'expired' };

// The platform secret also signs events and cron calls; the label keeps a blob signature from
// ever being valid as one of those (and the other way round).
const LABEL = 'consilium.blob-url.v1';

function mac(secret: string, grant: Grant): Buffer {
  const fields = [LABEL, grant.method, grant.key, grant.expires, grant.contentType ?? null, grant.contentLength ?? null, grant.filename ?? null, grant.checksum ?? null];
  return createHmac('sha256', secret).update(JSON.stringify(fields)).digest();
}

/**
 * The query string that carries `grant`'s terms and its HMAC-SHA256 signature (method and key travel in the request itself).
 *
 * @example
 * const query = signGrant(secret, { method: 'GET', key: 'a/b.pdf', expires: 1_900_000_000 });
 * `${prefix}/a/b.pdf?${query}`;
 */
export function signGrant(secret: string, grant: Grant): string {
  const query = new URLSearchParams({ expires: String(grant.expires) });
  if (grant.contentType !== undefined) query.set('type', grant.contentType);
  if (grant.contentLength !== undefined) query.set('length', String(grant.contentLength));
  if (grant.filename !== undefined) query.set('filename', grant.filename);
  if (grant.checksum !== undefined) query.set('checksum', grant.checksum);
  query.set('signature', mac(secret, grant).toString('base64url'));
  return query.toString();
}

/**
 * Checks a request against its signed query: any changed term is `invalid`, a genuine but stale one `expired`.
 *
 * @example
 * const verdict = verifyGrant(secret, 'PUT', key, new URL(c.req.url).searchParams, Date.now());
 * if (!verdict.ok) return forbidden(verdict.reason);
 */
export function verifyGrant(secret: string, method: Grant['method'], key: string, query: URLSearchParams, now: number): Verdict {
  const expires = Number(query.get('expires'));
  const length = query.get('length');
  const signature = Buffer.from(query.get('signature') ?? '', 'base64url');
  if (!Number.isSafeInteger(expires) || (length !== null && !/^\d{1,16}$/.test(length))) return { ok: false, reason: 'invalid' };
  const grant: Grant = { method, key, expires };
  if (query.has('type')) grant.contentType = query.get('type')!;
  if (length !== null) grant.contentLength = Number(length);
  if (query.has('filename')) grant.filename = query.get('filename')!;
  if (query.has('checksum')) grant.checksum = query.get('checksum')!;
  const expected = mac(secret, grant);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return { ok: false, reason: 'invalid' };
  if (now >= expires * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, grant };
}
