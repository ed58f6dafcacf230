import { Hono } from 'hono';
import * as v from 'valibot';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { db, transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { caseFor, caseIdParam } from './access.ts';
import { auditRead } from './audit.ts';
import type { OpinionsSettings } from './config.ts';
import { pdfResponse, signedOpinion, signedOpinionPdf } from './published.ts';
import { latestDraft } from './drafts.ts';
import { findLiveOpinion, listReviews } from './queries.ts';
import { findSignedByHash } from './signed-queries.ts';
import { checkSigned, openSigned, type AddendumContent, type OpinionContent } from './signed-content.ts';
import { contexts, open, readKey, writeKey } from './vault.ts';
import { findCaseView } from './view-queries.ts';
import { publicJwk } from './signing.ts';

const VerifyQuery = v.object({
  hash: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex (64 characters)')),
});

/**
 * Reading: the opinion (signed, or the draft for author, reviewer and ops), its PDF, public verification of a
 * content hash, and the public keys that verify signatures.
 *
 * @example
 * app.route('/', readRoutes(settings));
 */
export function readRoutes(settings: OpinionsSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.get(
    '/v1/cases/:id/opinion',
    describe({ summary: 'The signed opinion (author, reviewer and ops also see the draft before signing)', tags: ['opinions'], audience: 'owner, assigned professional, reviewer, ops' }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const view = await transaction(async (tx) => {
        const caseView = await caseFor(tx, caseId, principal, 'opinion:read');
        const signed = await signedOpinion(tx, caseId, settings);
        if (signed) {
          await auditRead(tx, principal, caseId, 'opinion');
          return signed;
        }
        // Before signing there is nothing for the patient: the draft is the professionals' working copy.
        if (principal.role === 'patient') throw problems.notFound();
        const opinion = await findLiveOpinion(tx, caseId);
        if (!opinion || opinion.currentVersion === 0) throw problems.notFound();
        const key = await writeKey(tx, caseView.ownerId, settings.keyring);
        const draft = await latestDraft(tx, opinion, key);
        await auditRead(tx, principal, caseId, 'draft');
        const reviews = (await listReviews(tx, opinion.id)).map(({ commentsSealed, ...r }) => ({
          ...r,
          comments: commentsSealed ? open(key, commentsSealed, contexts.review(opinion.id, r.round)) : null,
          at: r.at.toISOString(),
        }));
        return { status: opinion.status, opinionId: opinion.id, caseId, version: opinion.currentVersion, peerReview: opinion.peerReview, reviewRound: opinion.reviewRound, reviews, ...draft };
      });
      return c.json(view);
    },
  );

  app.get(
    '/v1/cases/:id/opinion.pdf',
    describe({ summary: 'The signed opinion as a PDF report', tags: ['opinions'], audience: 'owner, assigned professional, reviewer, ops' }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const pdf = await transaction(async (tx) => {
        await caseFor(tx, caseId, principal, 'opinion:read');
        const pdf = await signedOpinionPdf(tx, caseId, settings);
        if (pdf) await auditRead(tx, principal, caseId, 'pdf');
        return pdf;
      });
      if (!pdf) throw problems.notFound('The opinion is not signed yet.');
      return pdfResponse(pdf, caseId);
    },
  );

  app.get(
    '/v1/opinions/verify',
    describe({ summary: 'Check a content hash: signed by whom and when', tags: ['opinions'], audience: 'anyone' }),
    validate('query', VerifyQuery),
    async (c) => {
      const { hash } = c.req.valid('query');
      const sql = db();
      const row = await findSignedByHash(sql, hash);
      // Opened with the patient's key (gone after erasure: then nothing is left to vouch for).
      const key = row ? await readKey(sql, (await findCaseView(sql, row.caseId))?.ownerId ?? null, settings.keyring) : undefined;
      const sealed = row && openSigned(key, row);
      if (!sealed || sealed.contentHash !== hash) return c.json({ valid: false });
      // Recomputed from the stored canonical text every time: a changed byte anywhere fails here.
      const { valid, content } = checkSigned<OpinionContent | AddendumContent>(sealed, settings);
      if (!valid) return c.json({ valid: false });
      const { id: _id, ...signedBy } = content.signer;
      return c.json({ valid: true, kind: content.type === 'consilium.opinion.v1' ? 'opinion' : 'addendum', signedBy, signedAt: content.signedAt });
    },
  );

  app.get(
    '/v1/opinions/keys',
    describe({ summary: 'Public keys (JWKS) that verify opinion signatures', tags: ['opinions'], audience: 'anyone' }),
    (c) => {
      const retired = Object.entries(settings.retiredKeys).map(([kid, publicKey]) => publicJwk({ kid, publicKey }));
      return c.json({ keys: [publicJwk(settings.signingKey), ...retired] }, 200, { 'cache-control': 'public, max-age=300' });
    },
  );

  return app;
}
