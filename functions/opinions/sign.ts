import { Hono } from 'hono';
import * as v from 'valibot';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import { confirmStepUp } from '../../shared/auth/step-up.ts';
import { emit } from '../../shared/bus/emit.ts';
import { functionUrl } from '../../shared/config/index.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { caseFor, caseIdParam } from './access.ts';
import type { OpinionsSettings } from './config.ts';
import { latestDraft, wrongStatus } from './drafts.ts';
import { findLiveOpinion, updateOpinion } from './queries.ts';
import { contexts, seal as sealText, writeKey } from './vault.ts';
import { insertDelivery, insertSigned } from './signed-queries.ts';
import type { OpinionContent, Signer } from './signed-content.ts';
import { seal } from './signing.ts';
import { findProfessional, type CaseView } from './view-queries.ts';
import type { Tx } from '../../shared/db/index.ts';

const Sign = v.object({ totp: v.pipe(v.string(), v.regex(/^[0-9]{6}$/, 'must be 6 digits')) });

/**
 * The signer's display name, asked of identity with the signer's own bearer token (GET /v1/me) — identity's tables
 * are never read. Best effort: without an answer the signature names id, grade and specialty only.
 */
async function signerName(authorization: string, settings: OpinionsSettings): Promise<string | undefined> {
  try {
    const res = await fetch(`${settings.identityUrl ?? functionUrl('identity')}/v1/me`, { headers: { authorization }, signal: AbortSignal.timeout(3000) });
    if (!res.ok) return void (await res.body?.cancel());
    const { name } = (await res.json()) as { name?: unknown };
    return typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who signs, from this function's view of professionals (the token's grade when the view has not heard yet); the
 * specialty is the case's, else the signer's first.
 *
 * @example
 * const signer = await signerOf(tx, principal, view, name);
 */
export async function signerOf(tx: Tx, principal: Principal, view: CaseView, name: string | undefined): Promise<Signer> {
  const known = await findProfessional(tx, principal.id);
  if (known?.status === 'suspended') throw problems.forbidden('A suspended professional cannot sign.');
  const grade = known?.grade ?? principal.grade;
  if (!grade) throw problems.conflict('grade-unknown', 'Your grade is not known yet; ask ops to verify your account.');
  const specialty = view.specialty ?? known?.specialties[0] ?? 'unspecified';
  return { id: principal.id, ...(name ? { name } : {}), grade, specialty };
}

const caseUnknown = () => problems.conflict('case-unknown', 'The case has not been announced to opinions yet; try again shortly.');

/**
 * `POST /v1/cases/{id}/opinion/sign {totp}`: step-up with a fresh TOTP code, then the opinion is canonicalised
 * (RFC 8785), hashed (SHA-256) and signed (Ed25519) with the signer and the time, stored where the database refuses
 * any change, and delivered (opinion.delivered.v1; the follow-up window opens).
 *
 * @example
 * app.route('/', signRoutes(settings));
 */
export function signRoutes(settings: OpinionsSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.post(
    '/v1/cases/:id/opinion/sign',
    describe({ summary: 'Sign the opinion (step-up TOTP); the case is delivered', tags: ['opinions'], audience: 'assigned professional', responses: { 200: '{signature, signedAt, contentHash}', 401: 'Wrong or used code', 409: 'Not ready to sign' } }),
    validate('json', Sign),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const { totp } = c.req.valid('json');
      // Everything the signing below needs is checked before the code is spent, so an attempt that cannot succeed
      // does not burn it (identity spends it; it cannot be given back).
      await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:sign');
        const opinion = await findLiveOpinion(tx, caseId);
        if (!opinion) throw problems.conflict('no-draft', 'There is no opinion to sign.');
        if (opinion.status !== 'ready_to_sign') throw wrongStatus(opinion.status, 'The opinion is not ready to sign.');
        if (!view.ownerId) throw caseUnknown();
      });
      const authorization = c.req.header('authorization')!;
      if (!(await confirmStepUp(authorization, totp, settings.identityUrl ? { identityUrl: settings.identityUrl } : {}))) {
        throw new HttpProblem(401, 'invalid-totp', { detail: 'The code is wrong, expired or already used.' });
      }
      const name = await signerName(authorization, settings);
      const result = await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:sign', { forUpdate: true });
        const opinion = await findLiveOpinion(tx, caseId, { forUpdate: true });
        if (!opinion || opinion.status !== 'ready_to_sign') throw wrongStatus(opinion?.status ?? 'none', 'The opinion is not ready to sign.');
        if (!view.ownerId) throw caseUnknown();
        const key = await writeKey(tx, view.ownerId, settings.keyring);
        const draft = await latestDraft(tx, opinion, key);
        const signer = await signerOf(tx, principal, view, name);
        const reviewerId = opinion.peerReview ? view.reviewerId : null;
        const reviewerGrade = reviewerId ? ((await findProfessional(tx, reviewerId))?.grade ?? null) : null;
        const signedAt = settings.now();
        const content: OpinionContent = {
          type: 'consilium.opinion.v1',
          caseId,
          opinionId: opinion.id,
          version: opinion.currentVersion,
          summary: draft.summary,
          answers: draft.answers,
          recommendations: draft.recommendations,
          references: draft.references ?? [],
          trials: draft.trials ?? [],
          signer,
          reviewer: reviewerId ? { id: reviewerId, grade: reviewerGrade } : null,
          signedAt: signedAt.toISOString(),
        };
        const sealed = seal(content, settings.signingKey);
        const canonicalSealed = sealText(key, sealed.canonical, contexts.signed(sealed.contentHash));
        const { contentHash, signature, kid } = sealed;
        await insertSigned(tx, { opinionId: opinion.id, caseId, canonicalSealed, contentHash, signature, kid, signerId: principal.id, signedAt });
        await updateOpinion(tx, opinion.id, { status: 'signed' });
        const followUpUntil = new Date(signedAt.getTime() + settings.followUpWindowMs);
        await insertDelivery(tx, { caseId, opinionId: opinion.id, followUpUntil });
        await emit(tx, OpinionDeliveredV1, {
          source: 'opinions',
          subject: caseId,
          data: {
            caseId,
            opinionId: opinion.id,
            ownerId: view.ownerId,
            authorId: principal.id,
            authorGrade: signer.grade,
            reviewerId,
            reviewerGrade,
            specialty: signer.specialty,
            urgency: view.urgency,
            contentHash: sealed.contentHash,
            signedAt: content.signedAt,
            followUpUntil: followUpUntil.toISOString(),
          },
        });
        return { signature: sealed.signature, signedAt: content.signedAt, contentHash: sealed.contentHash, kid: sealed.kid };
      });
      return c.json(result);
    },
  );

  return app;
}
