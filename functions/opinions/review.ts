import { Hono } from 'hono';
import * as v from 'valibot';
import { OpinionApprovedV1, OpinionChangesRequestedV1, OpinionReviewerAssignedV1 } from '../../events/opinions.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { caseFor, caseIdParam } from './access.ts';
import type { OpinionsSettings } from './config.ts';
import { wrongStatus } from './drafts.ts';
import { findLiveOpinion, insertReview, updateOpinion } from './queries.ts';
import { canReview } from './review-rules.ts';
import { findProfessional, mergeCase } from './view-queries.ts';
import { contexts, seal, writeKey } from './vault.ts';

const AssignReviewer = v.object({ professionalId: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)) });

const Review = v.object({
  decision: v.picklist(['approve', 'changes_requested']),
  comments: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(20_000))),
});

/**
 * Peer review: ops choose a reviewer by hand; the reviewer approves or requests changes, as many rounds as needed.
 *
 * @example
 * app.route('/', reviewRoutes(settings));
 */
export function reviewRoutes(settings: OpinionsSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.post(
    '/v1/cases/:id/opinion/reviewer',
    describe({ summary: 'Choose the reviewer by hand', tags: ['opinions'], audience: 'ops', responses: { 200: '{reviewerId}', 422: 'Not an eligible reviewer' } }),
    validate('json', AssignReviewer),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const { professionalId } = c.req.valid('json');
      await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:assign-reviewer', { forUpdate: true });
        const opinion = await findLiveOpinion(tx, caseId);
        if (opinion?.status === 'signed') throw wrongStatus(opinion.status, 'The opinion is signed; it needs no reviewer.');
        const reviewer = await findProfessional(tx, professionalId);
        const authorGrade = view.authorId ? (await findProfessional(tx, view.authorId))?.grade : undefined;
        const eligible =
          reviewer !== undefined &&
          professionalId !== view.authorId &&
          canReview(reviewer, { specialty: view.specialty, authorGrade, belowGrade: settings.reviewBelowGrade });
        if (!eligible) {
          throw problems.validation(
            [{ pointer: '/professionalId', message: `must be another active professional of the case's specialty, grade ${settings.reviewBelowGrade} or above and not below the author` }],
            'Not an eligible reviewer.',
          );
        }
        await mergeCase(tx, caseId, { reviewerId: professionalId });
        await emit(tx, OpinionReviewerAssignedV1, {
          source: 'opinions',
          subject: caseId,
          data: { caseId, opinionId: opinion?.id ?? null, reviewerId: professionalId, assignedBy: principal.id },
        });
      });
      return c.json({ reviewerId: professionalId });
    },
  );

  app.post(
    '/v1/cases/:id/opinion/review',
    describe({ summary: 'Approve the opinion or send it back for changes (one round)', tags: ['opinions'], audience: "the case's reviewer", responses: { 200: '{status, round}', 409: 'Not in peer review' } }),
    validate('json', Review),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const body = c.req.valid('json');
      const result = await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:review');
        const opinion = await findLiveOpinion(tx, caseId, { forUpdate: true });
        if (!opinion) throw problems.conflict('no-draft', 'There is no opinion to review yet.');
        if (opinion.status !== 'peer_review') throw wrongStatus(opinion.status, 'The opinion is not waiting for review.');
        const round = opinion.reviewRound + 1;
        const commentsSealed = body.comments ? seal(await writeKey(tx, view.ownerId, settings.keyring), body.comments, contexts.review(opinion.id, round)) : null;
        await insertReview(tx, { opinionId: opinion.id, round, reviewerId: principal.id, decision: body.decision, commentsSealed });
        const status = body.decision === 'approve' ? 'ready_to_sign' : 'changes_requested';
        await updateOpinion(tx, opinion.id, { status, reviewRound: round });
        const data = { caseId, opinionId: opinion.id, reviewerId: principal.id, round };
        if (body.decision === 'approve') await emit(tx, OpinionApprovedV1, { source: 'opinions', subject: caseId, data });
        else await emit(tx, OpinionChangesRequestedV1, { source: 'opinions', subject: caseId, data });
        return { status, round };
      });
      return c.json(result);
    },
  );

  return app;
}
