import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AssignmentRevokedV1, OfferAcceptedV1, ReviewRevokedV1 } from '../../events/matching.ts';
import { closeDb } from '../../shared/db/index.ts';
import { reviewerMinGrade, reviewReasons } from './review-rules.ts';
import { assignedCase, deliver, fullDraft, harness, opinionEvents, professional, put, sign, type Harness } from './testing.ts';

const json = async <T>(res: Response) => (await res.json()) as T;

describe('peer review', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => {
    await h.close();
    await closeDb();
  });

  it('rules: grade below G3, urgent, AI disagreement, matching, or the random sample', () => {
    const base = { authorGrade: 'G3' as const, urgency: 'standard' as const, disagreement: false, peerReviewRequired: false };
    const rules = { belowGrade: 'G3' as const, rate: 0.1, roll: 0.5 };
    assert.deepEqual(reviewReasons(base, rules), []);
    assert.deepEqual(reviewReasons({ ...base, authorGrade: 'G2' }, rules), ['grade']);
    assert.deepEqual(reviewReasons({ ...base, authorGrade: undefined }, rules), ['grade']);
    assert.deepEqual(reviewReasons({ ...base, urgency: 'urgent' }, rules), ['urgent']);
    assert.deepEqual(reviewReasons({ ...base, disagreement: true }, rules), ['disagreement']);
    assert.deepEqual(reviewReasons({ ...base, peerReviewRequired: true }, rules), ['matching']);
    assert.deepEqual(reviewReasons(base, { ...rules, roll: 0.09 }), ['sample']);
    assert.deepEqual(reviewReasons(base, { ...rules, rate: 0 , roll: 0 }), []);
    assert.deepEqual(reviewReasons({ ...base, authorGrade: 'G4' }, { ...rules, belowGrade: 'G4' }), []);
    assert.deepEqual((['G1', 'G2', 'G3', 'G4'] as const).map((g) => reviewerMinGrade(g, 'G3')), ['G3', 'G3', 'G4', 'G4']);
  });

  for (const [what, options] of [
    ['an urgent case', { urgency: 'urgent' }],
    ['AI disagreement', { disagreement: true }],
    ['matching asked for it', { peerReviewRequired: true }],
  ] as const) {
    it(`sends the opinion of a G3 author to review for ${what}`, async () => {
      const { caseId, author } = await assignedCase(h, options);
      await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
      assert.deepEqual(await json(await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token)), { status: 'peer_review' });
      const requested = (await opinionEvents(caseId)).find((e) => e.type === 'review.requested.v1');
      assert.equal(requested?.data.minGrade, 'G4', 'a senior of a G3 author');
    });
  }

  it('a new author after a revocation asks for review again, as a new round', async () => {
    const { caseId, author, ops } = await assignedCase(h, { grade: 'G2' });
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
    await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token);
    await deliver(h.opinions, AssignmentRevokedV1, { caseId, professionalId: author.id, reason: 'ops' });
    const next = await professional(h, ops, 'G2');
    await deliver(h.opinions, OfferAcceptedV1, {
      offerId: randomUUID(), caseId, professionalId: next.id, kind: 'opinion', tier: 0, peerReviewRequired: false, opinionDueAt: new Date().toISOString(),
    });
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), next.token);
    assert.deepEqual(await json(await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, next.token)), { status: 'peer_review' });
    const requests = (await opinionEvents(caseId)).filter((e) => e.type === 'review.requested.v1').map((e) => [e.data.round, e.data.excludeProfessionalIds]);
    assert.deepEqual(requests, [[1, [author.id]], [2, [next.id]]]);
  });

  it('a reviewer whose review matching took back (review.revoked.v1) can no longer review; a newer reviewer can', async () => {
    const { caseId, author, ops } = await assignedCase(h, { grade: 'G2' });
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
    await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token);
    const late = await professional(h, ops, 'G4');
    const next = await professional(h, ops, 'G4');
    await deliver(h.opinions, OfferAcceptedV1, { offerId: randomUUID(), caseId, professionalId: late.id, kind: 'review', tier: 0, peerReviewRequired: false, opinionDueAt: new Date().toISOString() });
    await deliver(h.opinions, ReviewRevokedV1, { caseId, professionalId: late.id, round: 1, reason: 'deadline-missed' });
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'approve' }, late.token)).status, 404);
    await deliver(h.opinions, OfferAcceptedV1, { offerId: randomUUID(), caseId, professionalId: next.id, kind: 'review', tier: 0, peerReviewRequired: false, opinionDueAt: new Date().toISOString() });
    // A late (redelivered) revocation of the first reviewer leaves the new one in place.
    await deliver(h.opinions, ReviewRevokedV1, { caseId, professionalId: late.id, round: 1, reason: 'deadline-missed' });
    assert.deepEqual(await json(await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'approve' }, next.token)), { status: 'ready_to_sign', round: 1 });
  });

  it('samples at random with the injected dice', async () => {
    const sampled = await harness({ random: () => 0.05 });
    try {
      const { caseId, author } = await assignedCase(sampled);
      await put(sampled, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
      assert.deepEqual(await json(await sampled.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token)), { status: 'peer_review' });
    } finally {
      await sampled.close();
    }
  });

  it('a G2 author goes to review: a reviewer is requested, ops choose one, rounds of changes until approval, then signing', async () => {
    const { caseId, author, ops, owner } = await assignedCase(h, { grade: 'G2' });
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'v1' }), author.token);
    assert.deepEqual(await json(await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token)), { status: 'peer_review' });
    const requested = (await opinionEvents(caseId)).find((e) => e.type === 'review.requested.v1');
    assert.deepEqual(requested?.data, { caseId, specialty: 'cardiology', minGrade: 'G3', urgency: 'standard', round: 1, excludeProfessionalIds: [author.id] });

    // Ops choose by hand: only another active professional of the specialty, senior enough.
    const junior = await professional(h, ops, 'G2');
    const wrongSpecialty = await professional(h, ops, 'G4', ['oncology']);
    const reviewer = await professional(h, ops, 'G4');
    for (const candidate of [junior.id, wrongSpecialty.id, author.id, 'nobody']) {
      const res = await h.api.post(`/v1/cases/${caseId}/opinion/reviewer`, { professionalId: candidate }, ops.token);
      assert.equal(res.status, 400, candidate);
    }
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/reviewer`, { professionalId: reviewer.id }, author.token)).status, 403);
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/reviewer`, { professionalId: reviewer.id }, ops.token)).status, 200);

    // The reviewer reads the draft and its versions; someone else cannot review.
    assert.equal((await h.api.get(`/v1/cases/${caseId}/opinion`, reviewer.token)).status, 200);
    assert.equal((await h.api.get(`/v1/cases/${caseId}/opinion/versions`, reviewer.token)).status, 200);
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'approve' }, junior.token)).status, 404);
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'approve' }, author.token)).status, 403);
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'maybe' }, reviewer.token)).status, 400);
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/sign`, { totp: '123456' }, author.token)).status, 409, 'not approved yet');

    // Round 1: changes requested; the author edits and resubmits.
    const round1 = await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'changes_requested', comments: 'Cite the guideline.' }, reviewer.token);
    assert.deepEqual(await json(round1), { status: 'changes_requested', round: 1 });
    assert.equal((await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'approve' }, reviewer.token)).status, 409, 'back with the author');
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'v2' }), author.token);
    assert.deepEqual(await json(await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token)), { status: 'peer_review' });
    // Round 2: changes again; round 3: approved.
    assert.deepEqual(await json(await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'changes_requested' }, reviewer.token)), { status: 'changes_requested', round: 2 });
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft({ summary: 'v3' }), author.token);
    await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token);
    assert.deepEqual(await json(await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'approve' }, reviewer.token)), { status: 'ready_to_sign', round: 3 });

    const draftView = await json<{ status: string; reviews: { round: number; decision: string; comments: string | null }[] }>(await h.api.get(`/v1/cases/${caseId}/opinion`, ops.token));
    assert.equal(draftView.status, 'ready_to_sign');
    assert.deepEqual(draftView.reviews.map((r) => [r.round, r.decision, r.comments]), [[1, 'changes_requested', 'Cite the guideline.'], [2, 'changes_requested', null], [3, 'approve', null]]);
    assert.equal((await h.api.get(`/v1/cases/${caseId}/opinion`, owner.token)).status, 404, 'the patient sees nothing before signing');

    const types = (await opinionEvents(caseId)).map((e) => e.type);
    assert.deepEqual(types, [
      'opinion.started.v1', 'opinion.submitted.v1', 'review.requested.v1', 'opinion.reviewer-assigned.v1',
      'opinion.changes-requested.v1', 'opinion.submitted.v1', 'opinion.changes-requested.v1', 'opinion.submitted.v1', 'opinion.approved.v1',
    ]);
    const rounds = (await opinionEvents(caseId)).filter((e) => e.type === 'opinion.changes-requested.v1').map((e) => e.data.round);
    assert.deepEqual(rounds, [1, 2]);
    // Each submission names the round that the next decision answers: the first 1, each resubmission one more.
    const submittedAndDecided = (await opinionEvents(caseId))
      .filter((e) => ['opinion.submitted.v1', 'opinion.changes-requested.v1', 'opinion.approved.v1'].includes(e.type))
      .map((e) => [e.type, e.data.round]);
    assert.deepEqual(submittedAndDecided, [
      ['opinion.submitted.v1', 1], ['opinion.changes-requested.v1', 1],
      ['opinion.submitted.v1', 2], ['opinion.changes-requested.v1', 2],
      ['opinion.submitted.v1', 3], ['opinion.approved.v1', 3],
    ]);

    await sign(h, { caseId, author, ops, owner });
    const delivered = (await opinionEvents(caseId)).find((e) => e.type === 'opinion.delivered.v1')!;
    assert.equal(delivered.data.reviewerId, reviewer.id);
    assert.equal(delivered.data.reviewerGrade, 'G4');
    assert.equal(delivered.data.authorGrade, 'G2');
  });

  it('a reviewer found by matching (offer.accepted.v1 kind review) may review', async () => {
    const { caseId, author, ops } = await assignedCase(h, { grade: 'G1' });
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
    await h.api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, author.token);
    const reviewer = await professional(h, ops, 'G3');
    await deliver(h.opinions, OfferAcceptedV1, {
      offerId: randomUUID(), caseId, professionalId: reviewer.id, kind: 'review', tier: 0, peerReviewRequired: false, opinionDueAt: new Date().toISOString(),
    });
    const res = await h.api.post(`/v1/cases/${caseId}/opinion/review`, { decision: 'approve' }, reviewer.token);
    assert.deepEqual(await json(res), { status: 'ready_to_sign', round: 1 });
  });
});
