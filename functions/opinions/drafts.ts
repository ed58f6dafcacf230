import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { OpinionStartedV1, OpinionSubmittedV1, type OpinionSubmission } from '../../events/opinions.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction, type Tx } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { caseFor, caseIdParam } from './access.ts';
import { auditRead } from './audit.ts';
import type { OpinionsSettings } from './config.ts';
import { DraftBody, missingParts } from './content.ts';
import { findLiveOpinion, findVersion, insertOpinion, insertVersion, listVersions, reviewRequestsOf, updateOpinion, type DraftContent, type OpinionRow } from './queries.ts';
import { contexts, openJson, sealJson, writeKey } from './vault.ts';
import { requestReviewer } from './reviewer-request.ts';
import { reviewReasons } from './review-rules.ts';
import { findProfessional } from './view-queries.ts';

const EDITABLE = new Set(['draft', 'changes_requested']);

/**
 * The latest saved version's content, opened.
 *
 * @example
 * const draft = await latestDraft(tx, opinion, key);
 */
export async function latestDraft(tx: Tx, opinion: OpinionRow, key: Buffer): Promise<DraftContent> {
  const row = (await findVersion(tx, opinion.id, opinion.currentVersion))!;
  return openJson<DraftContent>(key, row.contentSealed, contexts.version(opinion.id, row.version));
}

/** 409 naming the opinion's status: the action does not fit where the opinion is. */
export const wrongStatus = (status: string, detail: string) => new HttpProblem(409, 'opinion-status', { detail, currentStatus: status });

/**
 * Drafting: save a draft (every save a new version), read the versions, submit.
 *
 * @example
 * app.route('/', draftRoutes(settings));
 */
export function draftRoutes(settings: OpinionsSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.put(
    '/v1/cases/:id/opinion/draft',
    describe({ summary: 'Save the opinion draft (a new version each time)', tags: ['opinions'], audience: 'assigned professional', responses: { 200: '{version}', 409: 'Submitted or signed: not editable' } }),
    validate('json', DraftBody),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const body = c.req.valid('json') as DraftContent;
      const version = await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:write');
        let opinion = await findLiveOpinion(tx, caseId, { forUpdate: true });
        if (!opinion) {
          opinion = await insertOpinion(tx, { id: randomUUID(), caseId, authorId: principal.id });
          if (!opinion) throw problems.conflict('concurrent-save', 'Another save started this opinion at the same moment; save again.');
          await emit(tx, OpinionStartedV1, { source: 'opinions', subject: caseId, data: { caseId, opinionId: opinion.id, authorId: principal.id } });
        }
        if (opinion.authorId !== view.authorId) throw problems.notFound();
        if (!EDITABLE.has(opinion.status)) throw wrongStatus(opinion.status, `The opinion is ${opinion.status.replaceAll('_', ' ')} and cannot be edited.`);
        const next = opinion.currentVersion + 1;
        const key = await writeKey(tx, view.ownerId, settings.keyring);
        await insertVersion(tx, { opinionId: opinion.id, version: next, contentSealed: sealJson(key, body, contexts.version(opinion.id, next)), savedBy: principal.id });
        await updateOpinion(tx, opinion.id, { currentVersion: next });
        return next;
      });
      return c.json({ version });
    },
  );

  app.get(
    '/v1/cases/:id/opinion/versions',
    describe({ summary: 'Every saved version of the opinion', tags: ['opinions'], audience: 'author, reviewer, ops' }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const items = await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:read');
        // The patient reads the signed opinion only, never the drafts behind it.
        if (principal.role === 'patient') throw problems.notFound();
        const opinion = await findLiveOpinion(tx, caseId);
        if (!opinion) return [];
        await auditRead(tx, principal, caseId, 'versions');
        const key = await writeKey(tx, view.ownerId, settings.keyring);
        return (await listVersions(tx, opinion.id)).map((row) => ({
          version: row.version,
          savedAt: row.savedAt.toISOString(),
          savedBy: row.savedBy,
          ...openJson<DraftContent>(key, row.contentSealed, contexts.version(opinion.id, row.version)),
        }));
      });
      return c.json({ items });
    },
  );

  app.post(
    '/v1/cases/:id/opinion/submit',
    describe({ summary: 'Submit the opinion: to peer review or ready to sign', tags: ['opinions'], audience: 'assigned professional', responses: { 200: '{status}', 409: 'Nothing to submit, or already submitted', 422: 'A question is unanswered' } }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const status = await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:write', { forUpdate: true });
        const opinion = await findLiveOpinion(tx, caseId, { forUpdate: true });
        if (!opinion || opinion.currentVersion === 0) throw problems.conflict('no-draft', 'Save a draft before submitting it.');
        if (!EDITABLE.has(opinion.status)) throw wrongStatus(opinion.status, `The opinion is ${opinion.status.replaceAll('_', ' ')}; it cannot be submitted again.`);
        const draft = await latestDraft(tx, opinion, await writeKey(tx, view.ownerId, settings.keyring));
        const missing = missingParts(draft, view.questionCount);
        if (missing.length > 0) throw new HttpProblem(422, 'incomplete-opinion', { detail: 'Answer every question before submitting.', errors: missing });
        // Decided once, on the first submission, so a resubmission after changes is never re-rolled out of review.
        const peerReview =
          opinion.peerReview ??
          reviewReasons(
            {
              authorGrade: (await findProfessional(tx, principal.id))?.grade ?? principal.grade,
              urgency: view.urgency,
              disagreement: view.disagreement,
              peerReviewRequired: view.peerReviewRequired,
            },
            { belowGrade: settings.reviewBelowGrade, rate: settings.reviewSampleRate, roll: settings.random() },
          ).length > 0;
        const next = peerReview ? 'peer_review' : 'ready_to_sign';
        await updateOpinion(tx, opinion.id, { status: next, peerReview });
        // reviewRound counts the decided rounds: this submission is the one the next decision answers.
        const submitted: OpinionSubmission = { caseId, opinionId: opinion.id, authorId: principal.id, peerReview, round: opinion.reviewRound + 1 };
        await emit(tx, OpinionSubmittedV1, { source: 'opinions', subject: caseId, data: submitted });
        if (peerReview && !view.reviewerId && opinion.peerReview === null) await requestReviewer(tx, view, await reviewRequestsOf(tx, caseId), settings);
        return next;
      });
      return c.json({ status });
    },
  );

  return app;
}
