import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { EventData, EventDefinition } from '../../events/envelope.ts';
import { OfferAcceptedV1 } from '../../events/matching.ts';
import { OpinionDeliveredV1, OpinionStartedV1 } from '../../events/opinions.ts';
import { PaymentCapturedV1 } from '../../events/payments.ts';
import { CaseTriagedV1 } from '../../events/triage.ts';
import { BLOB_ROUTES_PATH, blobRoutes, createBlobStore, FsBlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { emit } from '../../shared/bus/emit.ts';
import { db, transaction } from '../../shared/db/index.ts';
import { eventually, testRuntime } from '../../test/support/runtime.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { httpTriggers } from '../../triggers/http.ts';
import { createIdentity } from '../identity/app.ts';
import { DEFAULT_LIMITS } from '../identity/limits.ts';
import { client, identityApp, login, newPatient, signedInOps, type Client } from '../identity/testing.ts';
import cases, { createCases, type CasesOptions } from './app.ts';
import type { CaseStatus } from './lifecycle.ts';
import type { Urgency } from './pricing.ts';

/** Helpers for the cases tests: identity and cases on one origin, as the local runtime serves them. */

/** One app answering identity's and cases' routes (identity also registers its keys for in-process checks). */
export function platformApp(): Hono {
  const app = new Hono();
  app.route('/', identityApp());
  app.route('/', cases.app);
  return app;
}

/** A new patient, signed in. */
export async function signedInPatient(api: Client): Promise<{ id: string; token: string }> {
  const { id, email } = await newPatient(api);
  return { id, token: (await login(api, email)).accessToken };
}

/** The events cases wrote to the outbox about `caseId`, oldest first. */
export async function caseEvents(caseId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const rows = await db()<{ type: string; data: Record<string, unknown> }[]>`
    select type, data from bus.outbox where source = 'cases' and subject = ${caseId} order by seq`;
  return [...rows];
}

export { client, signedInOps, type Client };

/** A valid body for `POST /v1/cases`. */
export const newCaseBody = (extra: Record<string, unknown> = {}) => ({
  title: 'Second opinion on a thyroid nodule',
  questions: ['Is surgery necessary?', 'What follow-up do you advise?'],
  currency: 'EUR',
  ...extra,
});

/**
 * identity and cases served by a runtime of their own, every event cases consumes delivered through the bus:
 * identity's (consents, registrations) and those the test emits itself from `sources`.
 */
export async function casesRuntime(extra: { sources?: string[]; slaSweep?: CasesOptions['slaSweep'] } = {}) {
  const identity = createIdentity({ limits: DEFAULT_LIMITS });
  // The scheduler ticks on the wall clock: unscoped, flag-overdue-cases would flag (and count in this process's
  // metrics) any late case of any suite. Tests run the sweep themselves, scoped to their cases.
  const casesFn = createCases({ slaSweep: extra.slaSweep ?? { caseIds: [] } });
  const events = casesFn.consumes.map((event) => ({ event, function: 'cases' }));
  const harness = await testRuntime({
    functions: [identity, casesFn],
    events,
    cron: cronTriggers.filter((t) => t.function === 'cases'),
    http: httpTriggers.filter((t) => t.function === 'identity' || (t.function === 'cases' && t.prefix === '/v1/cases')),
    sources: ['identity', 'cases', ...(extra.sources ?? [])],
  });
  await harness.runtime.start();
  return { ...harness, api: client(harness.runtime.app) };
}

/** PUTs bytes where an upload intent said: the local blob routes in embedded mode, the S3 server otherwise. */
export async function putUpload(upload: { uploadUrl: string; uploadHeaders: Record<string, string> }, bytes: Uint8Array): Promise<Response> {
  const init = { method: 'PUT', headers: upload.uploadHeaders, body: bytes };
  const store = createBlobStore(config());
  if (store instanceof FsBlobStore) return new Hono().route(BLOB_ROUTES_PATH, blobRoutes(store)).request(upload.uploadUrl, init);
  return fetch(upload.uploadUrl, init);
}

/** The body of an upload intent for `bytes`. */
export const intentFor = (bytes: Uint8Array, contentType: string, filename = 'jane-doe-scan.pdf') => ({
  filename,
  contentType,
  size: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
});

/**
 * A patient's case submitted through the API, as the patient does it: a one-page PDF uploaded and completed, the
 * `processing` consent given, then submit (retried until cases has seen the consent event).
 *
 * @example
 * const { caseId, token, ownerId } = await submittedCase(api);
 */
export async function submittedCase(api: Client): Promise<{ caseId: string; token: string; ownerId: string }> {
  const pdf = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');
  const patient = await signedInPatient(api);
  const created = await api.post('/v1/cases', newCaseBody(), patient.token);
  const caseId = ((await created.json()) as { id: string }).id;
  const intentAnswer = await api.post(`/v1/cases/${caseId}/documents`, intentFor(pdf, 'application/pdf'), patient.token);
  const intent = (await intentAnswer.json()) as { id: string; uploadUrl: string; uploadHeaders: Record<string, string> };
  assert.ok((await putUpload(intent, pdf)).ok);
  assert.equal((await api.post(`/v1/cases/${caseId}/documents/${intent.id}/complete`, undefined, patient.token)).status, 200);
  await api.post('/v1/consents', { purpose: 'processing', version: '1', granted: true }, patient.token);
  await eventually(async () => (await api.post(`/v1/cases/${caseId}/submit`, undefined, patient.token)).status === 200, 10_000, 'submitted');
  return { caseId, token: patient.token, ownerId: patient.id };
}

/**
 * Waits until the case, as `token` reads it, has `status`.
 *
 * @example
 * await reachesStatus(api, caseId, token, 'triage');
 */
export async function reachesStatus(api: Client, caseId: string, token: string, status: string): Promise<void> {
  await eventually(async () => ((await (await api.get(`/v1/cases/${caseId}`, token)).json()) as { status: string }).status === status, 10_000, status);
}

/**
 * Reports a fact as the function that owns it would: through the outbox, from `source` (one of the test's own).
 *
 * @example
 * await reportFact(source, OpinionStartedV1, { caseId, opinionId: 'op1', authorId: 'pro-1' });
 */
export function reportFact<D extends EventDefinition>(source: string, definition: D, data: EventData<D>): Promise<void> {
  return transaction(async (tx) => void (await emit(tx, definition, { source, subject: (data as { caseId: string }).caseId, data })));
}

const HOUR = 3_600_000;

/**
 * Pays, triages (with `urgency`), assigns and starts the opinion of a submitted case — through the events that do it
 * in production, from `source` — stopping once it reaches `until`. `agedOnArrival` makes the case look as if it had
 * already spent that many seconds in a status on reaching it.
 *
 * @example
 * await advanceCase(api, c, { source, urgency: 'urgent', until: 'assigned' });
 */
export async function advanceCase(
  api: Client,
  c: { caseId: string; token: string; ownerId: string },
  options: { source: string; urgency: Urgency; until: 'triage' | 'matching' | 'assigned' | 'in_review'; agedOnArrival?: Partial<Record<CaseStatus, number>> },
): Promise<void> {
  const { caseId, token, ownerId } = c;
  const { source, urgency } = options;
  const steps: [CaseStatus, () => Promise<unknown>][] = [
    ['triage', () => reportFact(source, PaymentCapturedV1, { paymentId: randomUUID(), caseId, ownerId, gateway: 'sandbox', amount: { amount: 29000, currency: 'EUR' } })],
    ['matching', () => reportFact(source, CaseTriagedV1, { caseId, specialty: 'endocrinology', urgency, minGrade: 'G2', summary: 's', source: 'built-in', disagreement: false, redFlags: [] })],
    ['assigned', () => reportFact(source, OfferAcceptedV1, { offerId: randomUUID(), caseId, professionalId: 'pro-1', kind: 'opinion', tier: 1, peerReviewRequired: false, opinionDueAt: new Date(Date.now() + 72 * HOUR).toISOString() })],
    ['in_review', () => reportFact(source, OpinionStartedV1, { caseId, opinionId: 'op1', authorId: 'pro-1' })],
  ];
  for (const [status, step] of steps) {
    await step();
    await reachesStatus(api, caseId, token, status);
    const seconds = options.agedOnArrival?.[status];
    if (seconds) await db()`update cases.timeline set at = at - make_interval(secs => ${seconds}) where id = (select max(id) from cases.timeline where case_id = ${caseId})`;
    if (status === options.until) return;
  }
}

/**
 * Reports the signed opinion of a case in review delivered (opinion `op1` by `pro-1`), from `source`.
 *
 * @example
 * await deliverOpinion(source, c, 'urgent');
 */
export function deliverOpinion(source: string, c: { caseId: string; ownerId: string }, urgency: Urgency): Promise<void> {
  return reportFact(source, OpinionDeliveredV1, {
    caseId: c.caseId, opinionId: 'op1', ownerId: c.ownerId, authorId: 'pro-1', authorGrade: 'G3', reviewerId: null, reviewerGrade: null,
    specialty: 'endocrinology', urgency, contentHash: 'a'.repeat(64), signedAt: new Date().toISOString(), followUpUntil: new Date(Date.now() + 24 * HOUR).toISOString(),
  });
}
