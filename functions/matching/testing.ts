import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { catalogue } from '../../events/index.ts';
import type { EventData, EventDefinition } from '../../events/envelope.ts';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { ReviewRequestedV1 } from '../../events/matching.ts';
import { OpinionSubmittedV1 } from '../../events/opinions.ts';
import { MfaEnabledV1, ProfessionalStatusChangedV1, ProfessionalVerifiedV1, UserRegisteredV1 } from '../../events/identity.ts';
import { CaseTriagedV1 } from '../../events/triage.ts';
import type { Grade } from '../../shared/auth/grades.ts';
import { db } from '../../shared/db/index.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { deliverEvent } from '../../test/support/platform-calls.ts';
import { enrolMfa, signedInProfessional as verifiedProfessional, type Client } from '../identity/testing.ts';
import { createMatching } from './app.ts';
import type { OfferRow, RequestRow } from './offer-queries.ts';
import { acceptOffer } from './respond.ts';

/** Helpers for matching's tests: a clock to move, and events delivered through the real `/_events` endpoint. */

export interface Clock {
  now: () => Date;
  advance(ms: number): void;
}

/**
 * A clock that only moves when told.
 *
 * @example
 * const clock = testClock(); clock.advance(16 * 60_000);
 */
export function testClock(start = new Date('2027-01-04T09:00:00Z')): Clock {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

/**
 * A primary language subtag no other test uses: patients and professionals who share it only match each other,
 * so suites sharing one database never offer each other's cases.
 *
 * @example
 * const lang = uniqueLanguage(); // 'qa3f9c1d'
 */
export function uniqueLanguage(): string {
  return `q${randomBytes(4).toString('hex')}`;
}

/**
 * Delivers one event to the function as the platform does (binary CloudEvent, platform token); throws unless 200.
 *
 * @example
 * await deliver(matching, MfaEnabledV1, { userId });
 */
export async function deliver<D extends EventDefinition>(fn: ConsiliumFunction, definition: D, data: EventData<D>, id: string = randomUUID()): Promise<void> {
  const res = await deliverEvent(fn, definition, data, { id });
  if (res.status !== 200) throw new Error(`deliver ${definition.type}: ${res.status} ${await res.text()}`);
}

export interface ProOptions {
  id?: string;
  grade?: Grade;
  specialties?: string[];
  languages: string[];
  country?: string;
  mfa?: boolean;
  status?: 'active' | 'suspended' | 'paused';
}

/**
 * A professional known to matching through identity's events (verified; MFA on unless told otherwise).
 *
 * @example
 * const id = await newPro(matching, { grade: 'G3', specialties: ['cardiology'], languages: [lang] });
 */
export async function newPro(fn: ConsiliumFunction, o: ProOptions): Promise<string> {
  const id = o.id ?? randomUUID();
  await deliver(fn, ProfessionalVerifiedV1, {
    professionalId: id, grade: o.grade ?? 'G2', specialties: o.specialties ?? ['cardiology'], languages: o.languages,
    licenseCountry: o.country ?? 'FR', verifiedBy: 'ops-test',
  });
  if (o.mfa ?? true) await deliver(fn, MfaEnabledV1, { userId: id });
  if (o.status && o.status !== 'active') await deliver(fn, ProfessionalStatusChangedV1, { professionalId: id, from: 'active', to: o.status, changedBy: 'ops-test' });
  return id;
}

export interface CaseOptions {
  language: string;
  country?: string;
  ownerId?: string;
  preferredProfessionalId?: string;
  specialty?: string;
  minGrade?: Grade;
  urgency?: 'standard' | 'urgent';
  disagreement?: boolean;
}

/**
 * A patient and their paid case, submitted then triaged: matching opens its search.
 *
 * @example
 * const { caseId, ownerId } = await triagedCase(matching, { language: lang, minGrade: 'G2' });
 */
export async function triagedCase(fn: ConsiliumFunction, o: CaseOptions): Promise<{ caseId: string; ownerId: string }> {
  const caseId = randomUUID();
  const ownerId = o.ownerId ?? randomUUID();
  await deliver(fn, UserRegisteredV1, { userId: ownerId, role: 'patient', country: o.country ?? 'FR', locale: `${o.language}-FR` });
  await deliver(fn, CaseSubmittedV1, {
    caseId, ownerId, urgency: o.urgency ?? 'standard', price: { amount: 29_000, currency: 'EUR' }, documentIds: [], questionCount: 1,
    patientCountry: o.country ?? 'FR', patientLanguages: [`${o.language}-BE`],
    ...(o.preferredProfessionalId ? { preferredProfessionalId: o.preferredProfessionalId } : {}),
  });
  await deliver(fn, CaseTriagedV1, {
    caseId, specialty: o.specialty ?? 'cardiology', urgency: o.urgency ?? 'standard', minGrade: o.minGrade ?? 'G2',
    summary: 'De-identified: 54-year-old with a thyroid nodule.', source: 'built-in', disagreement: o.disagreement ?? false, redFlags: [],
  });
  return { caseId, ownerId };
}

/**
 * The offers of a case, oldest first.
 *
 * @example
 * const offers = await offersOf(caseId);
 */
export async function offersOf(caseId: string): Promise<OfferRow[]> {
  return [...(await db()<OfferRow[]>`select * from matching.offers where case_id = ${caseId} order by created_at, tier, professional_id`)];
}

/**
 * The opinion search of a case.
 *
 * @example
 * const request = await requestOf(caseId);
 */
export async function requestOf(caseId: string, kind: 'opinion' | 'review' = 'opinion'): Promise<RequestRow> {
  const [row] = await db()<RequestRow[]>`select * from matching.requests where case_id = ${caseId} and kind = ${kind} order by round desc limit 1`;
  return row!;
}

/**
 * The events matching wrote about `subject` (optionally of one type), oldest first.
 *
 * @example
 * const accepted = await matchingEvents(caseId, 'offer.accepted.v1');
 */
export async function matchingEvents(subject: string, type?: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const rows = await db()<{ type: string; data: Record<string, unknown> }[]>`
    select type, data from bus.outbox where source = 'matching' and subject = ${subject} ${type ? db()`and type = ${type}` : db()``} order by seq`;
  return [...rows];
}

/**
 * A professional who applied, was verified by ops (grade G3, cardiology, licensed in FR, speaking fr) and signed
 * in with TOTP through identity; identity's own events about them are then delivered to matching.
 *
 * @example
 * const pro = await signedInProfessional(matching, api, ops.token);
 */
export async function signedInProfessional(
  fn: ConsiliumFunction,
  api: Client,
  opsToken: string,
  grade: Grade = 'G3',
): Promise<{ id: string; token: string; tokenWithoutMfa: string }> {
  const { id, email, token: withoutMfa } = await verifiedProfessional(api, { grade, country: 'FR', languages: ['fr'], opsToken, mfa: false });
  const { token } = await enrolMfa(api, email, withoutMfa);
  const consumed = new Set(fn.consumes);
  for (const event of await db()<{ id: string; type: string; data: never }[]>`
    select id, type, data from bus.outbox where source = 'identity' and subject = ${id} order by seq`) {
    const definition = catalogue.get(event.type);
    if (definition && consumed.has(event.type)) await deliver(fn, definition, event.data, event.id);
  }
  return { id, token, tokenWithoutMfa: withoutMfa };
}

/**
 * Runs an accept (or any respond call) and reports 'won', or the problem status it was refused with; anything else
 * fails the test.
 *
 * @example
 * assert.equal(await attempt(() => acceptOffer(settings, { offerId, professionalId })), 409);
 */
export async function attempt(run: () => Promise<unknown>): Promise<'won' | number> {
  try {
    await run();
    return 'won';
  } catch (error) {
    if (error instanceof HttpProblem) return error.status;
    throw error;
  }
}

/**
 * A case whose opinion went to peer review (round 1) and whose review `reviewer` accepted; `next` is the other
 * senior. `submitted` and `decided` are the data of the opinion's events (without a round), for the next rounds.
 * `legacy` submits round 1 as a producer from before opinion.submitted.v1 carried its round.
 *
 * @example
 * const { clock, matching, caseId, reviewer, scope } = await reviewAccepted();
 */
export async function reviewAccepted(options: { legacy?: boolean } = {}) {
  const clock = testClock();
  const matching = createMatching({ now: clock.now, bestFitCount: 1 });
  const lang = uniqueLanguage();
  // A specialty no other suite uses: reviews ignore language and country, so this keeps the offers among ours.
  const specialty = `spec-${uniqueLanguage()}`;
  const author = await newPro(matching, { grade: 'G3', specialties: [specialty], languages: [lang] });
  const reviewer = await newPro(matching, { grade: 'G4', specialties: [specialty], languages: [lang] });
  const next = await newPro(matching, { grade: 'G4', specialties: [specialty], languages: [lang], id: `z-${randomUUID()}` });
  const { caseId } = await triagedCase(matching, { language: lang, specialty, minGrade: 'G3' });
  const [opinion] = await offersOf(caseId);
  await acceptOffer(matching.settings, { offerId: opinion!.id, professionalId: author });
  const opinionId = randomUUID();
  const submitted = { caseId, opinionId, authorId: author, peerReview: true };
  await deliver(matching, OpinionSubmittedV1, options.legacy ? submitted : { ...submitted, round: 1 });
  await deliver(matching, ReviewRequestedV1, { caseId, specialty, minGrade: 'G4', round: 1, excludeProfessionalIds: [author] });
  const review = (await offersOf(caseId)).find((o) => o.kind === 'review' && o.state === 'open');
  assert.equal(review?.professionalId, reviewer, 'tier 1 of the review: the best fit (lowest id on a tie)');
  await acceptOffer(matching.settings, { offerId: review.id, professionalId: reviewer });
  const decided = { caseId, opinionId, reviewerId: reviewer };
  return { clock, matching, caseId, reviewer, next, submitted, decided, scope: { caseIds: [caseId] } };
}
