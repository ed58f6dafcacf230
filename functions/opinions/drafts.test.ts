import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AssignmentRevokedV1, OfferAcceptedV1 } from '../../events/matching.ts';
import { randomUUID } from 'node:crypto';
import { closeDb, db } from '../../shared/db/index.ts';
import { assignedCase, deliver, fullDraft, harness, opinionEvents, patient, professional, put, type Harness } from './testing.ts';

type Problem = { type: string; errors?: { pointer: string }[] };
const json = async <T>(res: Response) => (await res.json()) as T;

describe('opinion drafts', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => {
    await h.close();
    await closeDb();
  });

  it('every save is a new version in the history; the first save emits opinion.started.v1 once', async () => {
    const { caseId, author, ops } = await assignedCase(h);
    const first = await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'first' }), author.token);
    assert.equal(first.status, 200, await first.clone().text());
    assert.deepEqual(await json(first), { version: 1 });
    const second = await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'second' }), author.token);
    assert.deepEqual(await json(second), { version: 2 });
    for (const reader of [author, ops]) {
      const { items } = await json<{ items: { version: number; summary: string }[] }>(await h.api.get(`/v1/cases/${caseId}/opinion/versions`, reader.token));
      assert.deepEqual(items.map((v) => [v.version, v.summary]), [[1, 'first'], [2, 'second']]);
    }
    const stored = await db()<{ contentSealed: string }[]>`select content_sealed from opinions.versions v join opinions.opinions o on o.id = v.opinion_id where o.case_id = ${caseId}`;
    assert.equal(stored.length, 2);
    assert.ok(stored.every((row) => !row.contentSealed.includes('nodule')), 'sealed at rest');
    const events = await opinionEvents(caseId);
    assert.deepEqual(events.map((e) => e.type), ['opinion.started.v1']);
    assert.equal(events[0]!.data.authorId, author.id);
    assert.ok(!JSON.stringify(events).includes('nodule'), 'no opinion text in events');
  });

  it('only the assigned professional writes; owner, other professionals and strangers cannot (404 / 403)', async () => {
    const { caseId, owner, ops } = await assignedCase(h);
    const other = await professional(h, ops, 'G4');
    const stranger = await patient(h.api);
    assert.equal((await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), other.token)).status, 404);
    assert.equal((await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), stranger.token)).status, 404);
    assert.equal((await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), owner.token)).status, 403);
    assert.equal((await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), ops.token)).status, 403);
    assert.equal((await put(h, `/v1/cases/not a case/opinion/draft`, fullDraft(), ops.token)).status, 404);
    assert.deepEqual(await opinionEvents(caseId), [], 'nothing was started');
  });

  it('refuses a malformed draft with 400 and field pointers', async () => {
    const { caseId, author } = await assignedCase(h);
    const res = await put(h, `/v1/cases/${caseId}/opinion/draft`, { summary: 's', answers: [{ question: '', answer: 'x' }], recommendations: 1 }, author.token);
    assert.equal(res.status, 400);
    const pointers = (await json<Problem>(res)).errors!.map((e) => e.pointer);
    assert.ok(pointers.includes('/answers/0/question') && pointers.includes('/recommendations'), JSON.stringify(pointers));
  });

  it('submit refuses an unanswered question with 422 /answers/N/answer, counting the questions of case.submitted.v1', async () => {
    const { caseId, author } = await assignedCase(h, { questionCount: 3 });
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
    const short = await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token);
    assert.equal(short.status, 422);
    assert.deepEqual((await json<Problem>(short)).errors!.map((e) => e.pointer), ['/answers/2/answer']);
    const draft = fullDraft();
    draft.answers = [...draft.answers, { question: 'Anything else?', answer: '  ' }];
    await put(h, `/v1/cases/${caseId}/opinion/draft`, draft, author.token);
    const blank = await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token);
    assert.deepEqual((await json<Problem>(blank)).errors!.map((e) => e.pointer), ['/answers/2/answer']);
    draft.answers[2]!.answer = 'Nothing else.';
    await put(h, `/v1/cases/${caseId}/opinion/draft`, draft, author.token);
    const ok = await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token);
    assert.equal(ok.status, 200);
    assert.deepEqual(await json(ok), { status: 'ready_to_sign' });
    assert.deepEqual((await opinionEvents(caseId)).at(-1), {
      type: 'opinion.submitted.v1',
      data: { caseId, opinionId: (await opinionEvents(caseId))[0]!.data.opinionId, authorId: author.id, peerReview: false, round: 1 },
    });
    assert.equal((await put(h, `/v1/cases/${caseId}/opinion/draft`, draft, author.token)).status, 409, 'submitted: not editable');
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token)).status, 409);
  });

  it('submit without a draft is 409', async () => {
    const { caseId, author } = await assignedCase(h);
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token)).status, 409);
  });

  it('an author who lost the case loses the draft; the next author starts fresh and only they write', async () => {
    const { caseId, author, ops } = await assignedCase(h);
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'old author' }), author.token);
    assert.equal(await deliver(h.opinions, AssignmentRevokedV1, { caseId, professionalId: author.id, reason: 'deadline-missed' }), 'processed');
    assert.equal((await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token)).status, 404);
    const next = await professional(h, ops, 'G3');
    await deliver(h.opinions, OfferAcceptedV1, {
      offerId: 'o2', caseId, professionalId: next.id, kind: 'opinion', tier: 1, peerReviewRequired: false, opinionDueAt: new Date().toISOString(),
    });
    const fresh = await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'new author' }), next.token);
    assert.deepEqual(await json(fresh), { version: 1 });
    const { items } = await json<{ items: { summary: string }[] }>(await h.api.get(`/v1/cases/${caseId}/opinion/versions`, next.token));
    assert.deepEqual(items.map((v) => v.summary), ['new author']);
    const started = (await opinionEvents(caseId)).filter((e) => e.type === 'opinion.started.v1');
    assert.equal(started.length, 2);
    assert.notEqual(started[0]!.data.opinionId, started[1]!.data.opinionId);
  });

  it('a new author assigned before the revocation arrives starts fresh too', async () => {
    const { caseId, author, ops } = await assignedCase(h);
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'old author' }), author.token);
    const next = await professional(h, ops, 'G3');
    await deliver(h.opinions, OfferAcceptedV1, {
      offerId: randomUUID(), caseId, professionalId: next.id, kind: 'opinion', tier: 1, peerReviewRequired: false, opinionDueAt: new Date().toISOString(),
    });
    assert.deepEqual(await json(await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), next.token)), { version: 1 });
    await deliver(h.opinions, AssignmentRevokedV1, { caseId, professionalId: author.id, reason: 'ops' });
    assert.deepEqual(await json(await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), next.token)), { version: 2 }, 'the late revocation does not touch the new author');
    assert.equal((await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token)).status, 404);
  });

  it('a redelivered event changes nothing (the bus records it once)', async () => {
    const { caseId, author } = await assignedCase(h);
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
    const id = randomUUID();
    const event = { caseId, professionalId: author.id, reason: 'ops' as const };
    assert.equal(await deliver(h.opinions, AssignmentRevokedV1, event, id), 'processed');
    assert.equal(await deliver(h.opinions, AssignmentRevokedV1, event, id), 'duplicate');
    const [row] = await db()<{ archived: number }[]>`select count(*)::int as archived from opinions.opinions where case_id = ${caseId} and status = 'archived'`;
    assert.equal(row!.archived, 1);
  });
});
