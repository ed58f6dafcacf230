import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { keyring } from '../../shared/keyring/index.ts';
import { extractPdfText } from '../documents/pdf-text.ts';
import { assignedCase, fullDraft, harness, opinionEvents, patient, professional, put, readyToSign, sign, type Harness } from './testing.ts';

const json = async <T>(res: Response) => (await res.json()) as T;
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('reading the opinion', () => {
  let h: Harness;
  before(async () => (h = await harness({ publicUrl: 'https://consilium.example' })));
  after(async () => {
    await h.close();
    await closeDb();
  });

  it('before signing: author and ops see the draft; the owner, other professionals and strangers get 404', async () => {
    const { caseId, author, ops, owner } = await assignedCase(h);
    assert.equal((await h.api.get(`/v1/cases/${caseId}/opinion`, author.token)).status, 404, 'no draft yet');
    await put(h, `/v1/cases/${caseId}/opinion/draft`, fullDraft(), author.token);
    for (const reader of [author, ops]) {
      const view = await json<{ status: string; version: number; answers: unknown }>(await h.api.get(`/v1/cases/${caseId}/opinion`, reader.token));
      assert.equal(view.status, 'draft');
      assert.equal(view.version, 1);
      assert.deepEqual(view.answers, fullDraft().answers);
    }
    const other = await professional(h, ops, 'G4');
    const stranger = await patient(h.api);
    for (const reader of [owner, other, stranger]) {
      const res = await h.api.get(`/v1/cases/${caseId}/opinion`, reader.token);
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    }
    assert.equal((await h.api.get(`/v1/cases/${caseId}/opinion/versions`, owner.token)).status, 404);
    assert.equal((await h.api.get(`/v1/cases/${caseId}/opinion.pdf`, author.token)).status, 404, 'no report before signing');
    assert.equal((await h.api.get(`/v1/cases/${caseId}/opinion`)).status, 401);
  });

  it('after signing: owner, author and ops read the signed opinion; anyone else 404', async () => {
    const ready = await readyToSign(h);
    const signed = await sign(h, ready);
    for (const reader of [ready.owner, ready.author, ready.ops]) {
      const res = await h.api.get(`/v1/cases/${ready.caseId}/opinion`, reader.token);
      assert.equal(res.status, 200);
      const view = await json<Record<string, unknown>>(res);
      assert.equal(view.status, 'signed');
      assert.equal(view.contentHash, signed.contentHash);
      assert.equal(view.signature, signed.signature);
      assert.equal(view.signedAt, signed.signedAt);
      assert.deepEqual(view.signedBy, { id: ready.author.id, name: 'Dr Jane Doe', grade: 'G3', specialty: 'cardiology' });
      assert.deepEqual(view.answers, fullDraft().answers);
      assert.equal(view.verifyUrl, `https://consilium.example/v1/opinions/verify?hash=${signed.contentHash}`);
    }
    const audit = (await opinionEvents(ready.caseId, { reads: true })).filter((e) => e.type === 'opinion.read.v1').map((e) => [e.data.actorId, e.data.what]);
    assert.deepEqual(audit, [[ready.owner.id, 'opinion'], [ready.author.id, 'opinion'], [ready.ops.id, 'opinion']], 'every read audited');
    const other = await professional(h, ready.ops, 'G3');
    assert.equal((await h.api.get(`/v1/cases/${ready.caseId}/opinion`, other.token)).status, 404);
    assert.equal((await h.api.get(`/v1/cases/${ready.caseId}/opinion`, (await patient(h.api)).token)).status, 404);
    assert.equal((await h.api.get(`/v1/cases/${ready.caseId}/opinion.pdf`, (await patient(h.api)).token)).status, 404);
    assert.equal((await opinionEvents(ready.caseId, { reads: true })).filter((e) => e.type === 'opinion.read.v1').length, 3, 'refused reads are not reads');
  });

  it("after the patient's erasure (key shredded) nothing can be read or vouched for, and nothing new is written", async () => {
    const ready = await readyToSign(h);
    const signed = await sign(h, ready);
    assert.equal((await keyring().shred(db(), ready.owner.id)), true);
    assert.equal((await h.api.get(`/v1/cases/${ready.caseId}/opinion`, ready.owner.token)).status, 404);
    assert.equal((await h.api.get(`/v1/cases/${ready.caseId}/opinion.pdf`, ready.ops.token)).status, 404);
    assert.deepEqual(await json(await h.api.get(`/v1/opinions/verify?hash=${signed.contentHash}`)), { valid: false });
    assert.equal((await h.api.post(`/v1/cases/${ready.caseId}/followups`, { text: 'Still there?' }, ready.owner.token)).status, 409);
  });

  it('the PDF report parses back with pdf.js and holds every question and answer, the signer, the date, the hash and the link', async () => {
    const draft = fullDraft({
      answers: [
        { question: 'Is surgery necessary?', answer: 'No surgery is needed at this stage. '.repeat(30).trim() },
        { question: 'What follow-up do you advise?', answer: 'Repeat the ultrasound in twelve months (naïve → ≈ ok).' },
      ],
    });
    const ready = await readyToSign(h, draft);
    const signed = await sign(h, ready);
    const res = await h.api.get(`/v1/cases/${ready.caseId}/opinion.pdf`, ready.owner.token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    const { text } = await extractPdfText(new Uint8Array(await res.arrayBuffer()));
    const all = flat(text);
    assert.ok(text.includes(signed.contentHash), 'the content hash, on one line');
    for (const { question, answer } of draft.answers) {
      assert.ok(all.includes(question), question);
      assert.ok(all.includes(flat(answer)), answer.slice(0, 40));
    }
    assert.ok(all.includes(flat(draft.recommendations)));
    assert.ok(all.includes('Dr Jane Doe'));
    assert.ok(all.includes(signed.signedAt));
    assert.ok(all.replace(/ /g, '').includes(`https://consilium.example/v1/opinions/verify?hash=${signed.contentHash}`));
  });
});
