import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { priceOf } from './pricing.ts';
import { caseEvents, client, newCaseBody, platformApp, signedInOps, signedInPatient, type Client } from './testing.ts';

type Problem = { type: string; status: number; errors?: { pointer: string; message: string }[] };
type CaseView = { id: string; status: string; stage: string; timeline: { at: string; status: string; note?: string }[]; questions: string[]; price: { amount: number; currency: string }; documents: unknown[] };
type Page = { items: { id: string }[]; nextCursor: string | null };

const json = async <T>(res: Response) => (await res.json()) as T;

async function openCase(api: Client, token: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post('/v1/cases', newCaseBody(extra), token);
  assert.equal(res.status, 201, await res.clone().text());
  return (await json<{ id: string }>(res)).id;
}

describe('cases', () => {
  after(() => closeDb());
  const app = platformApp();

  describe('POST /v1/cases', () => {
    it('opens a draft priced from the table, with its turnaround, a timeline row and case.created.v1', async () => {
      const api = client(app);
      const patient = await signedInPatient(api);
      const res = await api.post('/v1/cases', newCaseBody({ specialty: 'cardiology', urgency: 'urgent', currency: 'USD' }), patient.token);
      assert.equal(res.status, 201);
      const body = await json<{ id: string; status: string; price: unknown; turnaround: { hours: number } }>(res);
      assert.equal(body.status, 'draft');
      assert.deepEqual(body.price, priceOf({ specialty: 'cardiology', urgency: 'urgent', currency: 'USD' }));
      assert.equal(body.turnaround.hours, 48);
      const events = await caseEvents(body.id);
      assert.deepEqual(events, [{ type: 'case.created.v1', data: { caseId: body.id, ownerId: patient.id, specialty: 'cardiology', urgency: 'urgent' } }]);
      assert.ok(!JSON.stringify(events).includes('thyroid'), 'no title or questions in the event');
    });

    it('defaults to standard urgency and the generic price without a specialty', async () => {
      const api = client(app);
      const patient = await signedInPatient(api);
      const res = await api.post('/v1/cases', newCaseBody({ currency: 'GBP' }), patient.token);
      const body = await json<{ price: unknown; turnaround: { hours: number } }>(res);
      assert.deepEqual(body.price, priceOf({ urgency: 'standard', currency: 'GBP' }));
      assert.equal(body.turnaround.hours, 120);
    });

    it('answers 400 problem+json pointing at the field for 0 or 11 questions, a bad currency or a bad urgency', async () => {
      const api = client(app);
      const patient = await signedInPatient(api);
      const cases: [Record<string, unknown>, string][] = [
        [{ questions: [] }, '/questions'],
        [{ questions: Array.from({ length: 11 }, (_, i) => `question ${i}?`) }, '/questions'],
        [{ questions: ['fine', ''] }, '/questions/1'],
        [{ currency: 'XYZ' }, '/currency'],
        [{ urgency: 'asap' }, '/urgency'],
        [{ specialty: 'astrology' }, '/specialty'],
      ];
      for (const [extra, pointer] of cases) {
        const res = await api.post('/v1/cases', newCaseBody(extra), patient.token);
        assert.equal(res.status, 400, pointer);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        const problem = await json<Problem>(res);
        assert.ok(problem.errors?.some((e) => e.pointer === pointer), `${pointer}: ${JSON.stringify(problem.errors)}`);
      }
      const missing = await json<Problem>(await api.post('/v1/cases', { title: 'x', questions: ['y'] }, patient.token));
      assert.ok(missing.errors?.some((e) => e.pointer === '/currency'));
    });

    it('requires a signed-in patient (401 without a token, 403 for ops)', async () => {
      const api = client(app);
      assert.equal((await api.post('/v1/cases', newCaseBody())).status, 401);
      const ops = await signedInOps(api);
      assert.equal((await api.post('/v1/cases', newCaseBody(), ops.token)).status, 403);
    });
  });

  describe('GET /v1/cases', () => {
    it('lists only my own cases, newest first, across pages', async () => {
      const api = client(app);
      const me = await signedInPatient(api);
      const other = await signedInPatient(api);
      const theirs = await openCase(api, other.token);
      const mine: string[] = [];
      for (let i = 0; i < 5; i++) mine.push(await openCase(api, me.token));

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await api.get(`/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`, me.token);
        assert.equal(res.status, 200);
        const page: Page = await json<Page>(res);
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...mine].reverse(), 'each of mine once, newest first');
      assert.ok(!seen.includes(theirs));
    });

    it('refuses a limit above 100 and a forged cursor with 400', async () => {
      const api = client(app);
      const me = await signedInPatient(api);
      const tooMany = await api.get('/v1/cases?limit=101', me.token);
      assert.equal(tooMany.status, 400);
      assert.ok((await json<Problem>(tooMany)).errors?.some((e) => e.pointer === '/limit'));
      const forged = await api.get('/v1/cases?cursor=not-a-cursor', me.token);
      assert.equal(forged.status, 400);
      assert.ok((await json<Problem>(forged)).errors?.some((e) => e.pointer === '/cursor'));
    });

    it('shows ops every case', async () => {
      const api = client(app);
      const patient = await signedInPatient(api);
      const id = await openCase(api, patient.token);
      const ops = await signedInOps(api);
      const page = await json<Page>(await api.get('/v1/cases?limit=100', ops.token));
      assert.ok(page.items.some((item) => item.id === id));
    });
  });

  describe('GET /v1/cases/{id}', () => {
    it('shows the owner the case with its questions, price, deadlines, timeline and documents', async () => {
      const api = client(app);
      const patient = await signedInPatient(api);
      const id = await openCase(api, patient.token, { specialty: 'oncology' });
      const res = await api.get(`/v1/cases/${id}`, patient.token);
      assert.equal(res.status, 200);
      const view = await json<CaseView & { deadlines: unknown; urgency: string; specialty: string }>(res);
      assert.equal(view.status, 'draft');
      assert.equal(view.stage, 'intake');
      assert.equal(view.specialty, 'oncology');
      assert.equal(view.urgency, 'standard');
      assert.deepEqual(view.questions, newCaseBody().questions);
      assert.deepEqual(view.price, priceOf({ specialty: 'oncology', urgency: 'standard', currency: 'EUR' }));
      assert.ok(view.deadlines);
      assert.deepEqual(view.documents, []);
      assert.deepEqual(view.timeline.map((t) => t.status), ['draft']);
      const reads = (await caseEvents(id)).filter((e) => e.type === 'case.read.v1');
      assert.deepEqual(reads.map((e) => e.data), [{ caseId: id, actorId: patient.id, actorRole: 'patient' }], 'every read is audited');
    });

    it("answers 404 for another patient's case and for ids that are not ids; ops see it", async () => {
      const api = client(app);
      const owner = await signedInPatient(api);
      const stranger = await signedInPatient(api);
      const id = await openCase(api, owner.token);
      const hidden = await api.get(`/v1/cases/${id}`, stranger.token);
      assert.equal(hidden.status, 404);
      assert.match(hidden.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal((await api.get('/v1/cases/not-a-uuid', owner.token)).status, 404);
      assert.equal((await api.get('/v1/cases/00000000-0000-4000-8000-000000000000', owner.token)).status, 404);
      const ops = await signedInOps(api);
      const seen = await api.get(`/v1/cases/${id}`, ops.token);
      assert.equal(seen.status, 200);
      assert.equal((await json<CaseView>(seen)).id, id);
    });
  });

  describe('POST /v1/cases/{id}/cancel', () => {
    it('cancels a draft: 200, two timeline rows and case.cancelled.v1; again is 409 and changes nothing', async () => {
      const api = client(app);
      const patient = await signedInPatient(api);
      const id = await openCase(api, patient.token);

      const cancelled = await api.post(`/v1/cases/${id}/cancel`, undefined, patient.token);
      assert.equal(cancelled.status, 200);
      assert.equal((await json<{ status: string }>(cancelled)).status, 'cancelled');
      const view = await json<CaseView>(await api.get(`/v1/cases/${id}`, patient.token));
      assert.equal(view.status, 'cancelled');
      assert.deepEqual(view.timeline.map((t) => t.status), ['draft', 'cancelled']);
      const events = (await caseEvents(id)).filter((e) => e.type !== 'case.read.v1');
      assert.deepEqual(events.map((e) => e.type), ['case.created.v1', 'case.status-changed.v1', 'case.cancelled.v1']);
      assert.deepEqual(events[1]!.data, { caseId: id, ownerId: patient.id, from: 'draft', to: 'cancelled', cause: 'cancel' });
      assert.deepEqual(events[2]!.data, { caseId: id, from: 'draft' });

      const again = await api.post(`/v1/cases/${id}/cancel`, undefined, patient.token);
      assert.equal(again.status, 409);
      assert.match(again.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.match((await json<Problem>(again)).type, /illegal-transition$/);
      const after = await json<CaseView>(await api.get(`/v1/cases/${id}`, patient.token));
      assert.deepEqual(after, view, 'nothing changed');
      assert.equal((await caseEvents(id)).filter((e) => e.type !== 'case.read.v1').length, 3, 'no further event');
    });

    it("lets ops cancel, hides another patient's case (404), and answers 404 for a bad id", async () => {
      const api = client(app);
      const owner = await signedInPatient(api);
      const stranger = await signedInPatient(api);
      const id = await openCase(api, owner.token);
      assert.equal((await api.post(`/v1/cases/${id}/cancel`, undefined, stranger.token)).status, 404);
      assert.equal((await api.post('/v1/cases/nope/cancel', undefined, owner.token)).status, 404);
      const [row] = await db()<{ status: string }[]>`select status from cases.cases where id = ${id}`;
      assert.equal(row!.status, 'draft', "a stranger's attempt changes nothing");
      const ops = await signedInOps(api);
      const res = await api.post(`/v1/cases/${id}/cancel`, undefined, ops.token);
      assert.equal(res.status, 200);
      const view = await json<CaseView>(await api.get(`/v1/cases/${id}`, owner.token));
      assert.deepEqual(view.timeline.map((t) => [t.status, t.note]), [['draft', undefined], ['cancelled', 'cancelled by ops']]);
    });

    it('requires MFA for ops (403 mfa-required)', async () => {
      const api = client(app);
      const patient = await signedInPatient(api);
      const id = await openCase(api, patient.token);
      const { newOps } = await import('../identity/testing.ts');
      const ops = await newOps(api);
      const res = await api.get(`/v1/cases/${id}`, ops.tokens.accessToken);
      assert.equal(res.status, 403);
      assert.match((await json<Problem>(res)).type, /mfa-required$/);
    });
  });
});
