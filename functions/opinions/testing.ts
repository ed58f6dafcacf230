import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { Hono } from 'hono';
import { CaseSubmittedV1 } from '../../events/case.ts';
import type { EventData, EventDefinition } from '../../events/envelope.ts';
import { catalogue } from '../../events/index.ts';
import { OfferAcceptedV1 } from '../../events/matching.ts';
import { CaseTriagedV1 } from '../../events/triage.ts';
import { listenLocal } from '../../test/support/listen.ts';
import { config } from '../../shared/config/index.ts';
import { db } from '../../shared/db/index.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { deliverEvent } from '../../test/support/platform-calls.ts';
import { client, identityApp, login, newPatient, signedInOps, signedInProfessional, type Client } from '../identity/testing.ts';
import { totpCode } from '../identity/totp.ts';
import { keyring } from '../../shared/keyring/index.ts';
import { createOpinions } from './app.ts';
import { contexts, open } from './vault.ts';
import type { OpinionsOptions } from './config.ts';

/** Helpers for the opinions tests: identity served on a local port (step-up and /v1/me go over HTTP), opinions beside it. */

export interface Harness {
  api: Client;
  opinions: ConsiliumFunction;
  identityUrl: string;
  close(): Promise<void>;
}

/**
 * Identity served on a loopback port and an opinions function (with `options`) on one in-process origin.
 *
 * @example
 * const h = await harness({ random: () => 0.99 }); … await h.close();
 */
export async function harness(options: OpinionsOptions = {}): Promise<Harness> {
  const identity = identityApp();
  const served = await listenLocal(createAdaptorServer({ fetch: identity.fetch }) as Server, 0);
  const opinions = createOpinions({ identityUrl: served.url, random: () => 0.99, ...options });
  const app = new Hono();
  app.route('/', identity);
  app.route('/', opinions.app);
  // Each call from its own address: these tests make many accounts, identity's per-address limits are not under test.
  const api: Client = {
    ip: 'varies',
    post: (path, body, token) => client(app).post(path, body, token),
    put: (path, body, token) => client(app).put(path, body, token),
    patch: (path, body, token) => client(app).patch(path, body, token),
    get: (path, token) => client(app).get(path, token),
  };
  return { api, opinions, identityUrl: served.url, close: served.close };
}

/**
 * Delivers an event to the opinions function as the platform does (binary CloudEvent to POST /_events); returns the
 * status and whether it was processed or a duplicate.
 *
 * @example
 * await deliver(h.opinions, CaseSubmittedV1, data);
 */
export async function deliver<D extends EventDefinition>(fn: ConsiliumFunction, definition: D, data: EventData<D>, id = randomUUID()): Promise<string> {
  const res = await deliverEvent(fn, definition, data, { id });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { status: string }).status;
}

/** Forwards what identity wrote to the outbox about `subject` (verification, consents) to opinions, as the bus would. */
export async function relayIdentity(fn: ConsiliumFunction, subject: string, types: string[]): Promise<void> {
  const rows = await db()<{ id: string; type: string; data: Record<string, unknown>; time: Date }[]>`
    select id, type, data, time from bus.outbox where source = 'identity' and subject = ${subject} and type in ${db()(types)} order by seq`;
  for (const row of rows) {
    const res = await deliverEvent(fn, catalogue.get(row.type)!, row.data as never, { id: row.id, source: 'identity', time: new Date(row.time) });
    assert.equal(res.status, 200, await res.clone().text());
  }
}

export interface Person {
  id: string;
  token: string;
}

/** A professional with MFA on, signed in with it, who can produce fresh step-up codes in order. */
export interface Professional extends Person {
  /** The next unused TOTP code (waits for the clock when the next step is not valid yet). */
  nextCode(): Promise<string>;
}

/** A new patient, signed in. */
export async function patient(api: Client): Promise<Person> {
  const { id, email } = await newPatient(api);
  return { id, token: (await login(api, email)).accessToken };
}

/** A new ops account with MFA, signed in with it. */
export const opsWithMfa = (api: Client): Promise<Person> => signedInOps(api);

/**
 * A professional who applied, was verified by `ops` with `grade` and `specialties` (the verification relayed to
 * opinions), enrolled MFA and signed in with it.
 *
 * @example
 * const author = await professional(h, ops, 'G3');
 */
export async function professional(h: Harness, ops: Person, grade: 'G1' | 'G2' | 'G3' | 'G4', specialties = ['cardiology']): Promise<Professional> {
  const { id, token, mfa } = await signedInProfessional(h.api, { name: 'Dr Jane Doe', grade, specialties, country: 'FR', languages: ['en'], opsToken: ops.token });
  await relayIdentity(h.opinions, id, ['identity.professional.verified.v1']);
  const { secret } = mfa!;
  let { step } = mfa!;
  return {
    id,
    token,
    async nextCode() {
      step += 1;
      while (Math.floor(Date.now() / 30_000) < step - 1) await new Promise((r) => setTimeout(r, 250));
      return totpCode(secret, step * 30_000);
    },
  };
}

/** A case as the events before stage 4 describe it, with an author assigned. */
export interface AssignedCase {
  caseId: string;
  owner: Person;
  author: Professional;
  ops: Person;
}

/**
 * A submitted, triaged case assigned to a new author (events delivered as cases, triage and matching would).
 *
 * @example
 * const { caseId, owner, author } = await assignedCase(h, { grade: 'G3' });
 */
export async function assignedCase(
  h: Harness,
  options: { grade?: 'G1' | 'G2' | 'G3' | 'G4'; urgency?: 'standard' | 'urgent'; disagreement?: boolean; peerReviewRequired?: boolean; questionCount?: number } = {},
): Promise<AssignedCase> {
  const ops = await opsWithMfa(h.api);
  const owner = await patient(h.api);
  const author = await professional(h, ops, options.grade ?? 'G3');
  const caseId = randomUUID();
  const urgency = options.urgency ?? 'standard';
  await deliver(h.opinions, CaseSubmittedV1, {
    caseId, ownerId: owner.id, urgency, price: { amount: 29_000, currency: 'EUR' }, documentIds: [],
    questionCount: options.questionCount ?? 2, patientLanguages: ['en'],
  });
  await deliver(h.opinions, CaseTriagedV1, {
    caseId, specialty: 'cardiology', urgency, minGrade: 'G2', summary: 'de-identified', source: 'built-in',
    disagreement: options.disagreement ?? false, redFlags: [],
  });
  await deliver(h.opinions, OfferAcceptedV1, {
    offerId: randomUUID(), caseId, professionalId: author.id, kind: 'opinion', tier: 0,
    peerReviewRequired: options.peerReviewRequired ?? false, opinionDueAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  return { caseId, owner, author, ops };
}

/** A complete draft answering both default questions. */
export const fullDraft = (extra: Record<string, unknown> = {}) => ({
  summary: 'Benign-appearing nodule, TI-RADS 3.',
  answers: [
    { question: 'Is surgery necessary?', answer: 'No surgery is needed at this stage.' },
    { question: 'What follow-up do you advise?', answer: 'Repeat the ultrasound in twelve months.' },
  ],
  recommendations: 'Ultrasound in 12 months; see an endocrinologist if it grows.',
  references: ['ACR TI-RADS 2017'],
  ...extra,
});

/** PUT with a JSON body (the identity test client has none). */
export async function put(h: Harness, path: string, body: unknown, token: string): Promise<Response> {
  return h.opinions.app.request(path, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}

/** The events opinions wrote to the outbox about a case, oldest first; the audit of reads only when asked for. */
export async function opinionEvents(caseId: string, options: { reads?: boolean } = {}): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const reads = options.reads ? db()`true` : db()`type <> 'opinion.read.v1'`;
  return [...(await db()<{ type: string; data: Record<string, unknown> }[]>`
    select type, data from bus.outbox where source = 'opinions' and subject = ${caseId} and ${reads} order by seq`)];
}

/**
 * A case whose opinion is ready to sign (no peer review: G3 author, the dice say no sample).
 *
 * @example
 * const ready = await readyToSign(h);
 */
export async function readyToSign(h: Harness, draft = fullDraft()): Promise<AssignedCase> {
  const assigned = await assignedCase(h);
  assert.equal((await put(h, `/v1/cases/${assigned.caseId}/opinion/draft`, draft, assigned.author.token)).status, 200);
  const submitted = await h.api.post(`/v1/cases/${assigned.caseId}/opinion/submit`, undefined, assigned.author.token);
  assert.deepEqual(await submitted.json(), { status: 'ready_to_sign' });
  return assigned;
}

/**
 * Signs the case's opinion with the author's next code; returns the answer.
 *
 * @example
 * const { contentHash } = await sign(h, ready);
 */
export async function sign(h: Harness, assigned: AssignedCase): Promise<{ signature: string; signedAt: string; contentHash: string }> {
  const res = await h.api.post(`/v1/cases/${assigned.caseId}/opinion/sign`, { totp: await assigned.author.nextCode() }, assigned.author.token);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { signature: string; signedAt: string; contentHash: string };
}

/**
 * The signed canonical text of a case's opinion, opened with the patient's key (as the function does).
 *
 * @example
 * const { canonical, ownerId } = await storedCanonical(caseId);
 */
export async function storedCanonical(caseId: string): Promise<{ canonical: string; ownerId: string; row: Record<string, unknown> & { contentHash: string; canonicalSealed: string; signature: string } }> {
  const [row] = await db()<(Record<string, unknown> & { contentHash: string; canonicalSealed: string; signature: string })[]>`select * from opinions.signed where case_id = ${caseId}`;
  const [view] = await db()<{ ownerId: string }[]>`select owner_id from opinions.cases where case_id = ${caseId}`;
  const key = (await keyring().existingKey(db(), view!.ownerId))!;
  return { canonical: open(key, row!.canonicalSealed, contexts.signed(row!.contentHash)), ownerId: view!.ownerId, row: row! };
}
