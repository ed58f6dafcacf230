import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { config } from '../../shared/config/index.ts';
import { closeDb } from '../../shared/db/index.ts';
import { harness, opinionEvents, patient, professional, readyToSign, sign, type Harness } from './testing.ts';

const json = async <T>(res: Response) => (await res.json()) as T;
const DAY = 86_400_000;

describe('follow-up questions', () => {
  // A clock of our own, far in the past, so this file's close-follow-ups runs never end other tests' windows.
  let clock = new Date('2020-03-01T09:00:00Z');
  let h: Harness;
  before(async () => (h = await harness({ now: () => clock })));
  after(async () => {
    await h.close();
    await closeDb();
  });
  const tick = async () => {
    const token = await signPlatformToken(config().platformSecret, 'opinions');
    const res = await h.opinions.app.request('/_cron/close-follow-ups', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
  };
  const ended = async (caseId: string) => (await opinionEvents(caseId)).filter((e) => e.type === 'opinion.follow-up-ended.v1');

  it('the owner asks after delivery, at most 3; the author answers each with a signed addendum', async () => {
    clock = new Date('2020-03-01T09:00:00Z');
    const ready = await readyToSign(h);
    const ask = (text: string, token = ready.owner.token) => h.api.post(`/v1/cases/${ready.caseId}/followups`, { text }, token);
    assert.equal((await ask('Before delivery?')).status, 409);
    const signed = await sign(h, ready);
    assert.equal((await ask('', ready.owner.token)).status, 400);
    assert.equal((await ask('Not mine', (await patient(h.api)).token)).status, 404);
    assert.equal((await ask('As the author', ready.author.token)).status, 403);
    const ids: string[] = [];
    for (const text of ['Can I exercise?', 'Should I avoid iodine?', 'When do I call you?']) {
      const res = await ask(text);
      assert.equal(res.status, 201);
      ids.push((await json<{ id: string }>(res)).id);
    }
    const fourth = await ask('One more?');
    assert.equal(fourth.status, 409);
    assert.match((await json<{ type: string }>(fourth)).type, /follow-up-limit$/);

    const answer = (fid: string, text: string, token = ready.author.token) => h.api.post(`/v1/cases/${ready.caseId}/followups/${fid}/answer`, { text }, token);
    assert.equal((await answer(ids[0]!, 'Yes.', ready.owner.token)).status, 403);
    assert.equal((await answer(ids[0]!, 'Yes.', (await professional(h, ready.ops, 'G4')).token)).status, 404);
    const first = await answer(ids[0]!, 'Yes, moderate exercise is fine.');
    assert.equal(first.status, 200);
    const addendum = await json<{ contentHash: string; signedAt: string }>(first);
    assert.equal((await answer(ids[0]!, 'Again')).status, 409);
    assert.equal((await answer('00000000-0000-4000-8000-000000000000', 'x')).status, 404);
    const verified = await json<Record<string, unknown>>(await h.api.get(`/v1/opinions/verify?hash=${addendum.contentHash}`));
    assert.deepEqual(verified, { valid: true, kind: 'addendum', signedBy: { name: 'Dr Jane Doe', grade: 'G3', specialty: 'cardiology' }, signedAt: clock.toISOString() });

    const view = await json<{ contentHash: string; followUps: { text: string; answer: { text: string; contentHash: string } | null }[] }>(
      await h.api.get(`/v1/cases/${ready.caseId}/opinion`, ready.owner.token),
    );
    assert.equal(view.contentHash, signed.contentHash, 'the opinion itself is unchanged');
    assert.deepEqual(view.followUps.map((f) => [f.text, f.answer?.text ?? null]), [
      ['Can I exercise?', 'Yes, moderate exercise is fine.'], ['Should I avoid iodine?', null], ['When do I call you?', null],
    ]);

    // Two answered of three: the window stays open; the third answer ends it at the next tick, once.
    await answer(ids[1]!, 'No need.');
    await tick();
    assert.equal((await ended(ready.caseId)).length, 0);
    await answer(ids[2]!, 'Whenever it grows.');
    await tick();
    await tick();
    assert.equal((await ended(ready.caseId)).length, 1);
    const types = (await opinionEvents(ready.caseId)).map((e) => e.type);
    assert.equal(types.filter((t) => t === 'opinion.follow-up-asked.v1').length, 3);
    assert.equal(types.filter((t) => t === 'opinion.follow-up-answered.v1').length, 3);
    assert.ok(!JSON.stringify(await opinionEvents(ready.caseId)).includes('iodine'), 'no question text in events');
  });

  it('the window closes after 14 days: asking is refused and close-follow-ups ends it once', async () => {
    clock = new Date('2020-04-01T09:00:00Z');
    const ready = await readyToSign(h);
    await sign(h, ready);
    clock = new Date(clock.getTime() + 14 * DAY - 1000);
    assert.equal((await h.api.post(`/v1/cases/${ready.caseId}/followups`, { text: 'Just in time?' }, ready.owner.token)).status, 201);
    await tick();
    assert.equal((await ended(ready.caseId)).length, 0, 'still open');
    clock = new Date(clock.getTime() + 2000);
    const late = await h.api.post(`/v1/cases/${ready.caseId}/followups`, { text: 'Too late?' }, ready.owner.token);
    assert.equal(late.status, 409);
    assert.match((await json<{ type: string }>(late)).type, /follow-up-window-closed$/);
    await tick();
    await tick();
    const events = await ended(ready.caseId);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.data.caseId, ready.caseId);
  });
});
