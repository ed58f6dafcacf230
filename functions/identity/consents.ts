import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { ConsentChangedV1 } from '../../events/identity.ts';
import { authorize } from '../../shared/auth/policy.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { validate } from '../../shared/http/validate.ts';
import { signedIn, type IdentityDeps } from './deps.ts';
import { currentConsents, insertConsent, type ConsentRow } from './queries.ts';

/** What a patient can consent to; `external_ai` is sending de-identified records to an outside AI provider. */
export const PURPOSES = ['processing', 'ai_analysis', 'external_ai', 'share_with_treating_physician'] as const;

const GiveConsent = v.object({
  purpose: v.picklist(PURPOSES),
  version: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(40)),
  granted: v.boolean(),
});

const view = (row: ConsentRow) => ({ id: row.id, purpose: row.purpose, version: row.version, granted: row.granted, at: row.createdAt.toISOString() });

/**
 * `POST /v1/consents` `{purpose, version, granted}` → 201 (a new row of the history, and `consent.changed.v1`),
 * `GET /v1/consents` → `{items}`: the current answer per purpose.
 *
 * @example
 * app.route('/', consentRoutes(deps));
 */
export function consentRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();

  app.post(
    '/v1/consents',
    describe({ summary: 'Grant or withdraw consent for a purpose', tags: ['identity'], audience: 'patient', responses: { 201: 'Recorded' } }),
    validate('json', GiveConsent),
    signedIn(deps),
    async (c) => {
      const principal = c.get('principal');
      const body = c.req.valid('json');
      authorize(principal, 'consent:write', { ownerId: principal.id });
      const row = await transaction(async (tx) => {
        const consent = await insertConsent(tx, { id: randomUUID(), userId: principal.id, ...body });
        await emit(tx, ConsentChangedV1, { source: 'identity', subject: principal.id, data: { consentId: consent.id, userId: principal.id, ...body } });
        return consent;
      }, deps.sql());
      return c.json(view(row), 201);
    },
  );

  app.get('/v1/consents', describe({ summary: 'My current consents', tags: ['identity'], audience: 'patient' }), signedIn(deps), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'consent:read', { ownerId: principal.id });
    const rows = await currentConsents(deps.sql(), principal.id);
    return c.json({ items: rows.map(view) });
  });

  return app;
}
