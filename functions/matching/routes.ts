import { Hono } from 'hono';
import * as v from 'valibot';
import { ProfessionalResumedV1 } from '../../events/matching.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { toFieldErrors } from '../../shared/http/validate.ts';
import { resume } from './assignment-queries.ts';
import type { MatchingSettings } from './config.ts';
import { openOffersFor, rescueQueue, type OpenOfferView } from './listing-queries.ts';
import { acceptOffer, declineOffer } from './respond.ts';
import { idParam } from '../../shared/http/ids.ts';

const Decline = v.object({ reason: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(500))) });

/** The body of a decline is optional: empty means no reason; anything else must be `{reason?}` JSON. */
async function declineBody(text: string): Promise<string | null> {
  if (text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw problems.validation([{ pointer: '', message: 'the body is not JSON' }]);
  }
  const parsed = v.safeParse(Decline, json);
  if (!parsed.success) throw problems.validation(toFieldErrors(parsed.issues));
  return parsed.output.reason || null;
}

const offerView = (o: OpenOfferView) => ({
  id: o.id,
  caseId: o.caseId,
  specialty: o.specialty,
  urgency: o.urgency,
  summary: o.summary ?? '',
  expiresAt: o.expiresAt.toISOString(),
  fee: { amount: Number(o.feeAmount), currency: o.feeCurrency.trim() },
});

/**
 * The offers API: my open offers (urgent first), accept, decline, resume after a pause, and ops' rescue queue.
 *
 * @example
 * app.route('/', offerRoutes(settings));
 */
export function offerRoutes(settings: MatchingSettings): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.get('/v1/offers', describe({ summary: 'My open offers, urgent first (de-identified summary only)', tags: ['matching'], audience: 'professional' }), signedIn, async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'offer:list');
    const rows = await transaction((tx) => openOffersFor(tx, principal.id, settings.now()));
    return c.json({ items: rows.map(offerView) });
  });

  app.get('/v1/offers/rescue', describe({ summary: 'Cases nobody accepted after every tier (ops rescue queue)', tags: ['matching'], audience: 'ops' }), signedIn, async (c) => {
    // Rescue is assigning by hand: the ops-only action closest to it (policy.ts has no offer:rescue yet).
    authorize(c.get('principal'), 'offer:rescue');
    const rows = await transaction((tx) => rescueQueue(tx));
    return c.json({ items: rows.map((r) => ({ caseId: r.caseId, kind: r.kind, specialty: r.specialty, minGrade: r.minGrade, urgency: r.urgency, since: r.updatedAt.toISOString() })) });
  });

  app.post('/v1/offers/resume', describe({ summary: 'Resume receiving offers after a pause', tags: ['matching'], audience: 'professional', responses: { 204: 'Receiving offers' } }), signedIn, async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'offer:respond');
    await transaction(async (tx) => {
      if (await resume(tx, principal.id)) {
        await emit(tx, ProfessionalResumedV1, { source: 'matching', subject: principal.id, data: { professionalId: principal.id } });
      }
    });
    return c.body(null, 204);
  });

  app.post(
    '/v1/offers/:id/accept',
    describe({ summary: 'Accept an offer: one winner, everyone else 409', tags: ['matching'], audience: 'professional', responses: { 200: 'You won the case', 409: 'Taken, expired or closed' } }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const id = idParam(c.req.param('id'));
      authorize(principal, 'offer:respond');
      return c.json(await acceptOffer(settings, { offerId: id, professionalId: principal.id }));
    },
  );

  app.post(
    '/v1/offers/:id/decline',
    describe({ summary: 'Decline an offer (never offered this case again)', tags: ['matching'], audience: 'professional', responses: { 204: 'Declined' } }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const id = idParam(c.req.param('id'));
      const reason = await declineBody(await c.req.text());
      authorize(principal, 'offer:respond');
      await declineOffer(settings, { offerId: id, professionalId: principal.id, reason });
      return c.body(null, 204);
    },
  );

  return app;
}
