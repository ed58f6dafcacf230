import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { FollowUpAnsweredV1, FollowUpAskedV1, FollowUpEndedV1 } from '../../events/opinions.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { CronHandler } from '../../shared/bus/cron.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { caseFor, caseIdParam } from './access.ts';
import { MAX_FOLLOW_UPS, type OpinionsSettings } from './config.ts';
import { endFollowUpWindows, insertAddendum, insertFollowUp, listFollowUps } from './followup-queries.ts';
import { findDelivery, findSignedByCase } from './signed-queries.ts';
import { signerOf } from './sign.ts';
import { openSigned, type AddendumContent, type OpinionContent } from './signed-content.ts';
import { seal as sign } from './signing.ts';
import { contexts, open, seal, writeKey } from './vault.ts';
import { isUuid } from '../../shared/http/ids.ts';

const FollowUpText = v.object({ text: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(4000)) });

/**
 * Follow-ups: the patient asks (after delivery, within the window, at most three); the author answers each with a
 * signed addendum (no step-up: the opinion itself was signed with one).
 *
 * @example
 * app.route('/', followUpRoutes(settings));
 */
export function followUpRoutes(settings: OpinionsSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.post(
    '/v1/cases/:id/followups',
    describe({ summary: 'Ask a follow-up question about the delivered opinion', tags: ['opinions'], audience: 'owner', responses: { 201: '{id}', 409: 'Not delivered, window over, or three asked already' } }),
    validate('json', FollowUpText),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const { text } = c.req.valid('json');
      const id = await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'followup:create');
        // The delivery row is the lock under which follow-ups are counted.
        const delivery = await findDelivery(tx, caseId, { forUpdate: true });
        if (!delivery) throw problems.conflict('not-delivered', 'Follow-up questions open once the opinion is delivered.');
        const now = settings.now();
        if (delivery.endedAt || delivery.followUpUntil <= now) throw problems.conflict('follow-up-window-closed', 'The follow-up window of this case has closed.');
        const asked = await listFollowUps(tx, caseId);
        if (asked.length >= MAX_FOLLOW_UPS) throw problems.conflict('follow-up-limit', `At most ${MAX_FOLLOW_UPS} follow-up questions per case.`);
        const id = randomUUID();
        const textSealed = seal(await writeKey(tx, view.ownerId, settings.keyring), text, contexts.followUp(id));
        const followUp = { id, caseId, seq: asked.length + 1, ownerId: principal.id, textSealed, askedAt: now };
        await insertFollowUp(tx, followUp);
        const signed = (await findSignedByCase(tx, caseId))!;
        await emit(tx, FollowUpAskedV1, {
          source: 'opinions',
          subject: caseId,
          data: { caseId, followUpId: followUp.id, ownerId: principal.id, authorId: signed.signerId, seq: followUp.seq },
        });
        return followUp.id;
      });
      return c.json({ id }, 201);
    },
  );

  app.post(
    '/v1/cases/:id/followups/:fid/answer',
    describe({ summary: 'Answer a follow-up question (a signed addendum)', tags: ['opinions'], audience: 'assigned professional', responses: { 200: '{contentHash, signature, signedAt}', 409: 'Already answered' } }),
    validate('json', FollowUpText),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const followUpId = c.req.param('fid');
      const { text } = c.req.valid('json');
      if (!isUuid(followUpId)) throw problems.notFound();
      const result = await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'followup:answer', { forUpdate: true });
        const opinion = await findSignedByCase(tx, caseId);
        const followUp = (await listFollowUps(tx, caseId)).find((f) => f.id === followUpId.toLowerCase());
        if (!opinion || !followUp) throw problems.notFound();
        if (followUp.answer) throw problems.conflict('already-answered', 'This follow-up question has been answered.');
        const key = await writeKey(tx, view.ownerId, settings.keyring);
        const signedOpinion = openSigned(key, opinion);
        if (!signedOpinion) throw problems.notFound();
        const signedAt = settings.now();
        const content: AddendumContent = {
          type: 'consilium.opinion-addendum.v1',
          caseId,
          opinionHash: opinion.contentHash.trim(),
          followUpId: followUp.id,
          seq: followUp.seq,
          question: open(key, followUp.textSealed, contexts.followUp(followUp.id)),
          answer: text,
          signer: await signerOf(tx, principal, view, nameOf(signedOpinion.canonical, principal.id)),
          signedAt: signedAt.toISOString(),
        };
        const sealed = sign(content, settings.signingKey);
        const canonicalSealed = seal(key, sealed.canonical, contexts.signed(sealed.contentHash));
        const { contentHash, signature, kid } = sealed;
        if (!(await insertAddendum(tx, { followupId: followUp.id, caseId, canonicalSealed, contentHash, signature, kid, signerId: principal.id, signedAt }))) {
          throw problems.conflict('already-answered', 'This follow-up question has been answered.');
        }
        await emit(tx, FollowUpAnsweredV1, {
          source: 'opinions',
          subject: caseId,
          data: { caseId, followUpId: followUp.id, ownerId: followUp.ownerId, authorId: principal.id, contentHash: sealed.contentHash },
        });
        return { contentHash: sealed.contentHash, signature: sealed.signature, signedAt: content.signedAt, kid: sealed.kid };
      });
      return c.json(result);
    },
  );

  return app;
}

/**
 * The `close-follow-ups` job (every 5 minutes): ends each follow-up window whose time ran out or whose three
 * follow-ups are all answered, with opinion.follow-up-ended.v1 (the case closes). Idempotent: a window ends once.
 *
 * @example
 * defineFunction({ …, cron: { 'close-follow-ups': closeFollowUps(settings) } });
 */
export function closeFollowUps(settings: Pick<OpinionsSettings, 'now'>): CronHandler {
  return async function closeFollowUpsJob() {
    await transaction(async (tx) => {
      for (const ended of await endFollowUpWindows(tx, settings.now(), MAX_FOLLOW_UPS)) {
        await emit(tx, FollowUpEndedV1, { source: 'opinions', subject: ended.caseId, data: ended });
      }
    });
  };
}

/** The signer's display name as the signed opinion recorded it (identity is not asked again for an addendum). */
function nameOf(canonical: string, signerId: string): string | undefined {
  const { signer } = JSON.parse(canonical) as OpinionContent;
  return signer.id === signerId ? signer.name : undefined;
}
