import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { closeDb } from '../../shared/db/index.ts';
import { signedInOps, signedInPatient } from '../cases/testing.ts';
import { client, identityApp } from '../identity/testing.ts';
import { createMatching } from './app.ts';
import { expireOffers } from './sweeps.ts';
import { matchingEvents, offersOf, signedInProfessional, testClock, triagedCase } from './testing.ts';

/** Identity and matching on one origin, as the local runtime serves them; matching on a clock the test moves. */
function platform(now: () => Date) {
  const matching = createMatching({ now, pauseAfterExpired: 3 });
  const app = new Hono();
  app.route('/', identityApp());
  app.route('/', matching.app);
  return { matching, api: client(app) };
}

interface OfferItem { id: string; caseId: string; specialty: string; urgency: string; summary: string; expiresAt: string; fee: { amount: number; currency: string } }

describe('offers API', () => {
  after(() => closeDb());

  it('lists my offers urgent first with only de-identified fields and my fee; accept once (then 409); decline (then 409)', async () => {
    const clock = testClock(new Date());
    const { matching, api } = platform(clock.now);
    const ops = await signedInOps(api);
    const pro = await signedInProfessional(matching, api, ops.token);
    // The preferred professional holds each case alone (tier 0), so no other suite's professional is involved.
    const standard = await triagedCase(matching, { language: 'fr', preferredProfessionalId: pro.id, urgency: 'standard' });
    const urgent = await triagedCase(matching, { language: 'fr', preferredProfessionalId: pro.id, urgency: 'urgent' });

    const listed = await api.get('/v1/offers', pro.token);
    assert.equal(listed.status, 200);
    const { items } = (await listed.json()) as { items: OfferItem[] };
    assert.deepEqual(items.map((i) => i.caseId), [urgent.caseId, standard.caseId], 'urgent first');
    assert.deepEqual(Object.keys(items[0]!).sort(), ['caseId', 'expiresAt', 'fee', 'id', 'specialty', 'summary', 'urgency']);
    assert.deepEqual(items[0]!.fee, { amount: 27_000, currency: 'EUR' }, 'G3 urgent fee');
    assert.deepEqual(items[1]!.fee, { amount: 18_000, currency: 'EUR' }, 'G3 standard fee');
    assert.equal(items[0]!.specialty, 'cardiology');
    assert.match(items[0]!.summary, /^De-identified/);

    const accepted = await api.post(`/v1/offers/${items[0]!.id}/accept`, undefined, pro.token);
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { caseId: urgent.caseId });
    const again = await api.post(`/v1/offers/${items[0]!.id}/accept`, undefined, pro.token);
    assert.equal(again.status, 409);
    assert.equal(again.headers.get('content-type'), 'application/problem+json');

    assert.equal((await api.post(`/v1/offers/${items[1]!.id}/decline`, { reason: 'Out of office' }, pro.token)).status, 204);
    assert.equal((await api.post(`/v1/offers/${items[1]!.id}/decline`, undefined, pro.token)).status, 409);
    const remaining = (await (await api.get('/v1/offers', pro.token)).json()) as { items: OfferItem[] };
    assert.deepEqual(remaining.items, []);
    assert.equal((await matchingEvents(standard.caseId, 'offer.declined.v1')).length, 1);
  });

  it('64 concurrent HTTP accepts of one offer → one 200, 63 × 409', async () => {
    const { matching, api } = platform(() => new Date());
    const ops = await signedInOps(api);
    const pro = await signedInProfessional(matching, api, ops.token);
    const { caseId } = await triagedCase(matching, { language: 'fr', preferredProfessionalId: pro.id });
    const [offer] = await offersOf(caseId);
    const statuses = await Promise.all(Array.from({ length: 64 }, async () => (await api.post(`/v1/offers/${offer!.id}/accept`, undefined, pro.token)).status));
    assert.equal(statuses.filter((s) => s === 200).length, 1);
    assert.equal(statuses.filter((s) => s === 409).length, 63);
  });

  it("someone else's offer is 404; a bad id 404; a bad decline body 400 with a pointer; no MFA 403; patients 403", async () => {
    const { matching, api } = platform(() => new Date());
    const ops = await signedInOps(api);
    const pro = await signedInProfessional(matching, api, ops.token);
    const other = await signedInProfessional(matching, api, ops.token);
    const { caseId } = await triagedCase(matching, { language: 'fr', preferredProfessionalId: pro.id });
    const [offer] = await offersOf(caseId);
    assert.equal((await api.post(`/v1/offers/${offer!.id}/accept`, undefined, other.token)).status, 404);
    assert.equal((await api.post(`/v1/offers/${offer!.id}/decline`, undefined, other.token)).status, 404);
    assert.equal((await api.post('/v1/offers/not-an-id/accept', undefined, pro.token)).status, 404);
    const bad = await api.post(`/v1/offers/${offer!.id}/decline`, { reason: 42 }, pro.token);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer, '/reason');
    const noMfa = await api.get('/v1/offers', pro.tokenWithoutMfa);
    assert.equal(noMfa.status, 403);
    assert.match(((await noMfa.json()) as { type: string }).type, /mfa-required$/);
    const patient = await signedInPatient(api);
    assert.equal((await api.get('/v1/offers', patient.token)).status, 403);
    assert.equal((await api.get('/v1/offers')).status, 401);
    assert.equal((await api.get('/v1/offers/rescue', patient.token)).status, 403);
    assert.equal((await api.get('/v1/offers/rescue', ops.token)).status, 200);
    assert.equal(offer!.state, 'open');
  });

  it('three offers expired in a row pause a professional (event; no new offers) until they resume', async () => {
    const clock = testClock(new Date());
    const { matching, api } = platform(clock.now);
    const ops = await signedInOps(api);
    const pro = await signedInProfessional(matching, api, ops.token);
    const cases = [];
    for (let i = 0; i < 3; i++) cases.push((await triagedCase(matching, { language: 'fr', preferredProfessionalId: pro.id })).caseId);
    clock.advance(61 * 60_000);
    await expireOffers(matching.settings, { caseIds: cases });
    const paused = await matchingEvents(pro.id, 'matching.professional.paused.v1');
    assert.deepEqual(paused.map((e) => e.data), [{ professionalId: pro.id, expiredInARow: 3 }]);
    const skipped = await triagedCase(matching, { language: 'fr', preferredProfessionalId: pro.id });
    assert.ok(!(await offersOf(skipped.caseId)).some((o) => o.professionalId === pro.id), 'a paused professional gets no offer');
    assert.equal((await api.post('/v1/offers/resume', undefined, pro.token)).status, 204);
    assert.equal((await matchingEvents(pro.id, 'matching.professional.resumed.v1')).length, 1);
    const next = await triagedCase(matching, { language: 'fr', preferredProfessionalId: pro.id });
    assert.equal((await offersOf(next.caseId))[0]?.professionalId, pro.id, 'offers again after resuming');
  });
});
