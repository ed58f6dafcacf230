import { Hono } from 'hono';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import { documentsOf } from './document-queries.ts';
import { stagedUploadKey } from '../../events/documents.ts';
import { uploadStore } from './documents.ts';
import { idParam } from '../../shared/http/ids.ts';
import { applyMove } from './move.ts';
import type { Currency } from './pricing.ts';
import { caseFor } from './access.ts';
import { findPatient, hasConsent } from './view-queries.ts';

/**
 * `POST /v1/cases/{id}/submit`: a draft with at least one uploaded record, whose owner gave the `processing`
 * consent, goes to `awaiting_payment`, and `case.submitted.v1` tells payments, triage and matching what they need.
 * Upload intents never completed are dropped with it.
 *
 * @example
 * app.route('/', submitRoutes());
 */
export function submitRoutes(): Hono {
  const app = new Hono();
  app.post(
    '/v1/cases/:id/submit',
    describe({ summary: 'Submit a draft for payment', tags: ['cases'], audience: 'owner', responses: { 200: '{status: "awaiting_payment", price}', 409: 'Not a draft', 422: 'No uploaded record, or no processing consent' } }),
    authenticate(),
    async (c) => {
      const principal = c.get('principal');
      const id = idParam(c.req.param('id'));
      const result = await transaction(async (tx) => {
        const row = await caseFor(tx, principal, id, 'case:submit', { forUpdate: true });
        if (row.status !== 'draft') throw new HttpProblem(409, 'illegal-transition', { detail: `A ${row.status.replace('_', ' ')} case cannot be submitted.`, currentStatus: row.status });
        const documents = (await documentsOf(tx, id)).filter((d) => d.status !== 'pending' && d.status !== 'failed');
        const refusals = [
          ...(documents.length === 0 ? [{ pointer: '/documents', message: 'upload at least one record first' }] : []),
          ...((await hasConsent(tx, row.ownerId, 'processing')) ? [] : [{ pointer: '/consents/processing', message: 'the processing consent is required' }]),
        ];
        if (refusals.length > 0) throw new HttpProblem(422, 'case-incomplete', { detail: 'The case cannot be submitted yet.', errors: refusals });
        const abandoned = await tx<{ id: string }[]>`delete from cases.documents where case_id = ${id} and status = 'pending' returning id`;
        await applyMove(tx, row, 'submit', { cause: 'submit', note: null });
        const price = { amount: Number(row.priceAmount), currency: row.priceCurrency.trim() as Currency };
        const patient = await findPatient(tx, row.ownerId);
        await emit(tx, CaseSubmittedV1, {
          source: 'cases',
          subject: id,
          data: {
            caseId: id,
            ownerId: row.ownerId,
            urgency: row.urgency,
            price,
            documentIds: documents.map((d) => d.id),
            questionCount: row.questions.length,
            patientLanguages: patient?.locale ? [patient.locale] : [],
            ...(row.specialty ? { specialty: row.specialty } : {}),
            ...(row.preferredProfessionalId ? { preferredProfessionalId: row.preferredProfessionalId } : {}),
            ...(patient?.country ? { patientCountry: patient.country } : {}),
          },
        });
        return { answer: { id, status: 'awaiting_payment' as const, price }, ownerId: row.ownerId, abandoned: abandoned.map((d) => d.id) };
      });
      // Bytes PUT for an intent never completed are plaintext: they go with it.
      for (const documentId of result.abandoned) await uploadStore().delete(stagedUploadKey({ ownerId: result.ownerId, caseId: id, documentId }));
      return c.json(result.answer);
    },
  );
  return app;
}
