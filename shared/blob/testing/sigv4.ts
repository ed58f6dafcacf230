import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The parts of an incoming HTTP request a SigV4 check reads. */
export interface SignedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type SigV4Verdict = { ok: true } | { ok: false; code: 'AccessDenied' | 'SignatureDoesNotMatch' | 'InvalidAccessKeyId'; message: string };

const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();

/**
 * Checks an AWS Signature V4 presigned (query-string) request the way S3 does. s3rver 3 accepts any
 * V4 signature, so the tests put this in front of it to see what a real S3 refuses.
 *
 * @example
 * const verdict = verifyPresignedV4({ method: req.method!, url: req.url!, headers: req.headers }, (id) => (id === 'S3RVER' ? 'S3RVER' : undefined));
 */
export function verifyPresignedV4(req: SignedRequest, secretFor: (accessKeyId: string) => string | undefined, now = Date.now()): SigV4Verdict {
  const url = new URL(req.url, 'http://unused');
  const q = url.searchParams;
  const [accessKeyId, date, region, service, terminator] = (q.get('X-Amz-Credential') ?? '').split('/');
  const amzDate = q.get('X-Amz-Date') ?? '';
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  const expires = Number(q.get('X-Amz-Expires'));
  const provided = Buffer.from(q.get('X-Amz-Signature') ?? '', 'hex');
  const time = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || terminator !== 'aws4_request' || !amzDate.startsWith(date ?? '-') || Number.isNaN(time) || !Number.isInteger(expires) || !signedHeaders.includes('host')) {
    return { ok: false, code: 'AccessDenied', message: 'Malformed presigned request' };
  }
  if (now > time + expires * 1000) return { ok: false, code: 'AccessDenied', message: 'Request has expired' };
  const secret = secretFor(accessKeyId ?? '');
  if (secret === undefined) return { ok: false, code: 'InvalidAccessKeyId', message: 'Unknown access key' };

  const path = url.pathname.split('/').map((segment) => encode(decodeURIComponent(segment))).join('/');
  const query = [...q]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = signedHeaders.map((name) => {
    const value = req.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonical = [req.method, path, query, headers.join(''), signedHeaders.join(';'), q.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = [date!, region!, service!, 'aws4_request'].reduce<Buffer | string>((k, part) => hmac(k, part), `AWS4${secret}`);
  const expected = hmac(key, stringToSign);
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    return { ok: false, code: 'SignatureDoesNotMatch', message: 'The request signature does not match' };
  }
  return { ok: true };
}
