import { createHmac, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from '../../shared/auth/principal.ts';

// A label of its own, so a download link can never pass as an event, cron or blob signature made with the same secret.
const LABEL = 'consilium.case-document-link.v1';

/** What a download link grants: one document's bytes, to the person it was issued to, until `expires` (Unix seconds). */
export interface DocumentLink {
  caseId: string;
  documentId: string;
  actorId: string;
  actorRole: Role;
  expires: number;
}

const mac = (secret: string, link: DocumentLink) =>
  createHmac('sha256', secret).update(JSON.stringify([LABEL, link.caseId, link.documentId, link.actorId, link.actorRole, link.expires])).digest();

/**
 * The query string of a short-lived download link.
 *
 * @example
 * const query = signLink(secret, { caseId, documentId, actorId: principal.id, actorRole: principal.role, expires: now + 300 });
 */
export function signLink(secret: string, link: DocumentLink): string {
  return new URLSearchParams({ actor: link.actorId, role: link.actorRole, expires: String(link.expires), signature: mac(secret, link).toString('base64url') }).toString();
}

/**
 * The link's terms when its signature holds and it has not expired, else why not.
 *
 * @example
 * const verdict = verifyLink(secret, caseId, documentId, new URL(c.req.url).searchParams, Date.now() / 1000);
 */
export function verifyLink(
  secret: string,
  caseId: string,
  documentId: string,
  query: URLSearchParams,
  nowSeconds: number,
): { ok: true; link: DocumentLink } | { ok: false; reason: 'invalid' | 'expired' } {
  const expires = Number(query.get('expires'));
  const actorId = query.get('actor') ?? '';
  const actorRole = query.get('role') as Role;
  if (!Number.isSafeInteger(expires) || actorId === '' || !ROLES.includes(actorRole)) return { ok: false, reason: 'invalid' };
  const link = { caseId, documentId, actorId, actorRole, expires };
  const given = Buffer.from(query.get('signature') ?? '', 'base64url');
  const expected = mac(secret, link);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  return expires < nowSeconds ? { ok: false, reason: 'expired' } : { ok: true, link };
}
