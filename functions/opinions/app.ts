import { Hono } from 'hono';
import { defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { opinionsSettings, type OpinionsOptions, type OpinionsSettings } from './config.ts';
import { draftRoutes } from './drafts.ts';
import { closeFollowUps, followUpRoutes } from './followups.ts';
import { readRoutes } from './read.ts';
import { reviewRoutes } from './review.ts';
import { sharingRoutes } from './sharing.ts';
import { signRoutes } from './sign.ts';
import { opinionSubscriptions } from './views.ts';

/**
 * Every opinions route on the given settings.
 *
 * @example
 * const routes = opinionRoutes(opinionsSettings());
 */
export function opinionRoutes(settings: OpinionsSettings): Hono {
  const app = new Hono();
  for (const routes of [draftRoutes, reviewRoutes, signRoutes, readRoutes, followUpRoutes, sharingRoutes]) app.route('/', routes(settings));
  return app;
}

/**
 * Decisions worth knowing (see the report of issue 8):
 * - Views only from events; the patient's questions stay in cases: each draft answer carries the question it answers,
 *   and submit checks the count against case.submitted.v1's questionCount (at least one when unknown).
 * - The signer's display name is asked of identity at signing with the signer's own bearer (GET /v1/me) and signed
 *   into the content; grade and specialty come from identity.professional.verified.v1 (the token's grade as fallback).
 * - Opinion text is sealed at rest under the patient's key (shared keyring); signed rows are immutable in the database.
 */

/**
 * The opinions function (stages 4 and 5): drafts and versions, peer review, signing, the report, verification,
 * follow-ups and sharing; tests build one with their own clock, dice and identity address.
 *
 * @example
 * const { app } = createOpinions({ now: () => clock, random: () => 0.99, identityUrl });
 */
export function createOpinions(options: OpinionsOptions = {}): ConsiliumFunction {
  const settings = opinionsSettings(options);
  return defineFunction({
    name: 'opinions',
    routes: opinionRoutes(settings),
    events: opinionSubscriptions,
    cron: { 'close-follow-ups': closeFollowUps(settings) },
  });
}

// Loading refuses production without OPINIONS_SIGNING_KEY (see signingKeyFrom): the development key is public.
export default createOpinions();
