import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { ShareLinkCreatedV1, ShareLinkUsedV1 } from '../../events/opinions.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { caseFor, caseIdParam } from './access.ts';
import type { OpinionsSettings } from './config.ts';
import { pdfResponse, signedOpinion, signedOpinionPdf } from './published.ts';
import { findSignedByCase } from './signed-queries.ts';
import { findLiveShareLink, insertShareLink, insertShareUse } from './share-queries.ts';
import { consentGranted } from './view-queries.ts';

const PURPOSE = 'share_with_treating_physician';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const SharedQuery = v.object({ format: v.optional(v.picklist(['json', 'pdf'])) });

/**
 * Sharing with the treating physician: with the patient's consent, an expiring link to the signed opinion (JSON or
 * PDF). Only a hash of the token is stored; every use is audited (a row and opinion.share-link.used.v1).
 *
 * @example
 * app.route('/', sharingRoutes(settings));
 */
export function sharingRoutes(settings: OpinionsSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();
  const Share = v.object({
    expiresInHours: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(settings.maxShareHours, `at most ${settings.maxShareHours} hours`)),
  });

  app.post(
    '/v1/cases/:id/opinion/share',
    describe({ summary: 'Create an expiring link to the signed opinion for the treating physician', tags: ['opinions'], audience: 'owner', responses: { 201: '{url, expiresAt}', 403: 'No consent to share', 409: 'Not signed yet' } }),
    validate('json', Share),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const caseId = caseIdParam(c.req.param('id'));
      const { expiresInHours } = c.req.valid('json');
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(settings.now().getTime() + expiresInHours * 3_600_000);
      await transaction(async (tx) => {
        const view = await caseFor(tx, caseId, principal, 'opinion:read');
        // Only the patient whose opinion it is may hand it on.
        if (view.ownerId !== principal.id) throw problems.forbidden('Only the patient may share their opinion.');
        if (!(await findSignedByCase(tx, caseId))) throw problems.conflict('not-signed', 'The opinion is not signed yet.');
        if (!(await consentGranted(tx, principal.id, PURPOSE))) {
          throw new HttpProblem(403, 'consent-required', { detail: `Give the ${PURPOSE} consent first (POST /v1/consents).` });
        }
        const link = { id: randomUUID(), caseId, createdBy: principal.id, tokenHash: tokenHash(token), expiresAt };
        await insertShareLink(tx, link);
        await emit(tx, ShareLinkCreatedV1, { source: 'opinions', subject: caseId, data: { caseId, linkId: link.id, ownerId: principal.id, expiresAt: expiresAt.toISOString() } });
      });
      return c.json({ url: `${settings.publicUrl}/v1/opinions/shared/${token}`, expiresAt: expiresAt.toISOString() }, 201);
    },
  );

  app.get(
    '/v1/opinions/shared/:token',
    describe({ summary: 'Open a share link: the signed opinion (or ?format=pdf) until it expires', tags: ['opinions'], audience: 'anyone with the link' }),
    validate('query', SharedQuery),
    async (c) => {
      const token = c.req.param('token');
      const format = c.req.valid('query').format ?? 'json';
      if (!TOKEN.test(token)) throw problems.notFound();
      const shared = await transaction(async (tx) => {
        const link = await findLiveShareLink(tx, tokenHash(token), settings.now());
        // Expired, unknown, or consent withdrawn since: the same 404.
        if (!link || !(await consentGranted(tx, link.createdBy, PURPOSE))) throw problems.notFound();
        const opened = format === 'pdf' ? await signedOpinionPdf(tx, link.caseId, settings) : await signedOpinion(tx, link.caseId, settings);
        // Nothing to show (erased): not a use, and the same 404.
        if (!opened) throw problems.notFound();
        await insertShareUse(tx, { linkId: link.id, format });
        await emit(tx, ShareLinkUsedV1, { source: 'opinions', subject: link.caseId, data: { caseId: link.caseId, linkId: link.id, ownerId: link.createdBy, format } });
        return opened;
      });
      const headers = { 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' };
      if (shared instanceof Uint8Array) {
        const res = pdfResponse(shared, 'shared');
        for (const [k, value] of Object.entries(headers)) res.headers.set(k, value);
        return res;
      }
      return c.json(shared, 200, headers);
    },
  );

  return app;
}
