import type { Sql, Tx } from '../../shared/db/index.ts';
import type { OpinionsSettings } from './config.ts';
import { listFollowUps, type FollowUpWithAnswer } from './followup-queries.ts';
import type { SignedRow } from './queries.ts';
import { renderOpinionPdf } from './report.ts';
import { openSigned, signedView, type AddendumContent, type OpinionContent } from './signed-content.ts';
import { findSignedByCase } from './signed-queries.ts';
import { contexts, open, readKey } from './vault.ts';
import { findCaseView } from './view-queries.ts';

type Settings = Pick<OpinionsSettings, 'publicUrl' | 'keyring'>;

/**
 * The link anyone can open to check a content hash.
 *
 * @example
 * verifyUrl(settings, hash); // 'https://consilium.health/v1/opinions/verify?hash=…'
 */
export function verifyUrl(settings: Pick<OpinionsSettings, 'publicUrl'>, contentHash: string): string {
  return `${settings.publicUrl}/v1/opinions/verify?hash=${contentHash}`;
}

/** The signed opinion and follow-ups of a case, opened with the patient's key; undefined before signing or after erasure. */
async function openCase(sql: Sql | Tx, caseId: string, settings: Settings) {
  const row = await findSignedByCase(sql, caseId);
  if (!row) return undefined;
  const key = await readKey(sql, (await findCaseView(sql, caseId))?.ownerId ?? null, settings.keyring);
  const sealed = openSigned(key, row);
  if (!key || !sealed) return undefined;
  const followUps = (await listFollowUps(sql, caseId)).map((f: FollowUpWithAnswer) => ({
    ...f,
    text: open(key, f.textSealed, contexts.followUp(f.id)),
    answer: f.answer ? openSigned(key, f.answer) : undefined,
  }));
  return { sealed, followUps };
}

/**
 * The signed opinion of a case as the API shows it (with its follow-ups and their signed answers), or undefined
 * before signing.
 *
 * @example
 * const opinion = await signedOpinion(tx, caseId, settings);
 */
export async function signedOpinion(sql: Sql | Tx, caseId: string, settings: Settings) {
  const opened = await openCase(sql, caseId, settings);
  if (!opened) return undefined;
  const followUps = opened.followUps.map((f) => ({
    id: f.id,
    seq: f.seq,
    text: f.text,
    askedAt: f.askedAt.toISOString(),
    answer: f.answer ? answerView(f.answer.canonical, f.answer) : null,
  }));
  return { ...signedView(opened.sealed), verifyUrl: verifyUrl(settings, opened.sealed.contentHash), followUps };
}

function answerView(canonical: string, row: Pick<SignedRow, 'contentHash' | 'signature' | 'kid'>) {
  const content = JSON.parse(canonical) as AddendumContent;
  return { text: content.answer, signedBy: content.signer, signedAt: content.signedAt, contentHash: row.contentHash.trim(), signature: row.signature, kid: row.kid };
}

/**
 * The PDF report of a case's signed opinion, or undefined before signing.
 *
 * @example
 * const pdf = await signedOpinionPdf(tx, caseId, settings);
 */
export async function signedOpinionPdf(sql: Sql | Tx, caseId: string, settings: Settings): Promise<Uint8Array | undefined> {
  const opened = await openCase(sql, caseId, settings);
  if (!opened) return undefined;
  const addenda = opened.followUps.flatMap((f) => (f.answer ? [{ content: JSON.parse(f.answer.canonical) as AddendumContent, contentHash: f.answer.contentHash }] : []));
  const { contentHash, canonical } = opened.sealed;
  return renderOpinionPdf(JSON.parse(canonical) as OpinionContent, { contentHash, verifyUrl: verifyUrl(settings, contentHash), addenda });
}

/**
 * Answers a PDF download.
 *
 * @example
 * return pdfResponse(bytes, caseId);
 */
export function pdfResponse(bytes: Uint8Array, caseId: string): Response {
  return new Response(bytes.slice().buffer as ArrayBuffer, {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="opinion-${caseId}.pdf"`,
      'cache-control': 'private, no-store',
    },
  });
}
