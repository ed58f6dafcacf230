import type { Grade } from '../../shared/auth/grades.ts';
import type { KeyObject } from 'node:crypto';
import type { OpinionsSettings } from './config.ts';
import type { DraftContent, SignedRow } from './queries.ts';
import { verifySealed, type Sealed } from './signing.ts';
import { contexts, open } from './vault.ts';

/** Who signed: id, grade and specialty always; a display name when identity gave one at signing time. */
export interface Signer {
  id: string;
  name?: string;
  grade: Grade;
  specialty: string;
}

/** Exactly what is canonicalised, hashed and signed for an opinion: the text, the signer and the time. */
export interface OpinionContent extends Required<DraftContent> {
  type: 'consilium.opinion.v1';
  caseId: string;
  opinionId: string;
  version: number;
  signer: Signer;
  reviewer: { id: string; grade: Grade | null } | null;
  signedAt: string;
}

/** What is signed for a follow-up answer: an addendum bound to the opinion by its hash. */
export interface AddendumContent {
  type: 'consilium.opinion-addendum.v1';
  caseId: string;
  opinionHash: string;
  followUpId: string;
  seq: number;
  question: string;
  answer: string;
  signer: Signer;
  signedAt: string;
}

/**
 * The public keys that verify signatures, by kid: the active one and any retired ones.
 *
 * @example
 * verifySealed(row, keyResolver(settings));
 */
export function keyResolver(settings: Pick<OpinionsSettings, 'signingKey' | 'retiredKeys'>): (kid: string) => KeyObject | undefined {
  return (kid) => (kid === settings.signingKey.kid ? settings.signingKey.publicKey : settings.retiredKeys[kid]);
}

/**
 * The stored signed content opened with the patient's key, or undefined when it cannot be (key shredded by
 * erasure, or a sealed byte altered: AES-GCM refuses it).
 *
 * @example
 * const sealed = openSigned(key, row);
 */
export function openSigned(key: Buffer | undefined, row: SignedRow): Sealed | undefined {
  if (!key) return undefined;
  const contentHash = row.contentHash.trim();
  try {
    return { canonical: open(key, row.canonicalSealed, contexts.signed(contentHash)), contentHash, signature: row.signature, kid: row.kid };
  } catch {
    return undefined;
  }
}

/**
 * Signed content checked from scratch (hash recomputed, Ed25519 verified), with its parsed content.
 *
 * @example
 * const { valid, content } = checkSigned(sealed, settings);
 */
export function checkSigned<T extends OpinionContent | AddendumContent>(sealed: Sealed, settings: Pick<OpinionsSettings, 'signingKey' | 'retiredKeys'>): { valid: boolean; content: T } {
  return { valid: verifySealed(sealed, keyResolver(settings)), content: JSON.parse(sealed.canonical) as T };
}

/**
 * The signed opinion as the API shows it: its content, signature, signer, time and hash.
 *
 * @example
 * c.json(signedView(sealed));
 */
export function signedView(sealed: Sealed) {
  const { type: _type, signer, signedAt, ...content } = JSON.parse(sealed.canonical) as OpinionContent;
  return { status: 'signed', ...content, signedBy: signer, signedAt, contentHash: sealed.contentHash, signature: sealed.signature, kid: sealed.kid };
}
