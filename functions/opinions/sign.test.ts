import assert from 'node:assert/strict';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { hashOf } from './signing.ts';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { keyring, seal } from '../../shared/keyring/index.ts';
import { openSigned } from './signed-content.ts';
import { deliver, fullDraft, harness, opinionEvents, put, readyToSign, relayIdentity, sign, storedCanonical, type Harness } from './testing.ts';
import { contexts } from './vault.ts';

const json = async <T>(res: Response) => (await res.json()) as T;
const DAY = 86_400_000;

describe('signing opinions', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => {
    await h.close();
    await closeDb();
  });

  it('signs with a fresh TOTP: canonical content hashed and Ed25519-signed, verifiable with the published key; delivered', async () => {
    const ready = await readyToSign(h);
    const signed = await sign(h, ready);
    assert.match(signed.contentHash, /^[0-9a-f]{64}$/);
    const { canonical, row } = await storedCanonical(ready.caseId);
    assert.equal(hashOf(canonical), signed.contentHash);
    assert.equal(row.signature, signed.signature);
    assert.ok(!row.canonicalSealed.includes('surgery'), 'sealed at rest under the patient key');
    const content = JSON.parse(canonical) as Record<string, unknown>;
    assert.deepEqual(content.answers, fullDraft().answers);
    assert.deepEqual(content.signer, { id: ready.author.id, name: 'Dr Jane Doe', grade: 'G3', specialty: 'cardiology' });
    assert.equal(content.signedAt, signed.signedAt);

    // Anyone can check the signature with the JWKS, independently of our code.
    const { keys } = await json<{ keys: { kid: string; x: string; crv: string; kty: string }[] }>(await h.api.get('/v1/opinions/keys'));
    const publicKey = createPublicKey({ key: keys[0]! as never, format: 'jwk' });
    assert.ok(verify(null, Buffer.from(canonical), publicKey, Buffer.from(signed.signature, 'base64url')));

    const verified = await json<Record<string, unknown>>(await h.api.get(`/v1/opinions/verify?hash=${signed.contentHash}`));
    assert.deepEqual(verified, { valid: true, kind: 'opinion', signedBy: { name: 'Dr Jane Doe', grade: 'G3', specialty: 'cardiology' }, signedAt: signed.signedAt });

    const delivered = (await opinionEvents(ready.caseId)).find((e) => e.type === 'opinion.delivered.v1')!;
    assert.deepEqual(delivered.data, {
      caseId: ready.caseId,
      opinionId: content.opinionId,
      ownerId: ready.owner.id,
      authorId: ready.author.id,
      authorGrade: 'G3',
      reviewerId: null,
      reviewerGrade: null,
      specialty: 'cardiology',
      urgency: 'standard',
      contentHash: signed.contentHash,
      signedAt: signed.signedAt,
      followUpUntil: new Date(Date.parse(signed.signedAt) + 14 * DAY).toISOString(),
    });
    assert.ok(!JSON.stringify(delivered).includes('Jane'), 'no names in events');
  });

  it('refuses a wrong code and a replayed code (401), and signs nothing', async () => {
    const ready = await readyToSign(h);
    const wrong = await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: '000000' }, ready.author.token);
    assert.equal(wrong.status, 401);
    assert.match((await json<{ type: string }>(wrong)).type, /invalid-totp$/);
    // The code is spent once (here: by a step-up at identity), so presenting it again to sign is a replay.
    const code = await ready.author.nextCode();
    assert.equal((await h.api.post('/v1/auth/mfa/step-up', { code }, ready.author.token)).status, 204);
    const replayed = await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: code }, ready.author.token);
    assert.equal(replayed.status, 401);
    assert.equal((await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: 'abc' }, ready.author.token)).status, 400);
    const [row] = await db()<{ n: number }[]>`select count(*)::int as n from opinions.signed where case_id = ${ready.caseId}`;
    assert.equal(row!.n, 0);
    assert.ok(!(await opinionEvents(ready.caseId)).some((e) => e.type === 'opinion.delivered.v1'));
  });

  it('only the author signs, and only when ready (409 before submit)', async () => {
    const ready = await readyToSign(h);
    assert.equal((await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: '123456' }, ready.owner.token)).status, 403);
    assert.equal((await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: '123456' }, ready.ops.token)).status, 403);
    const { assignedCase } = await import('./testing.ts');
    const early = await assignedCase(h);
    await put(h, `/v1/cases/${early.caseId}/opinion/draft`, fullDraft(), early.author.token);
    assert.equal((await h.api.post(`/v1/cases/${early.caseId}/opinion/sign`, { totp: '123456' }, early.author.token)).status, 409);
  });

  it('does not spend the code on an attempt that cannot sign: the case not yet announced to opinions (409)', async () => {
    const ready = await readyToSign(h);
    const [{ ownerId } = { ownerId: '' }] = await db()<{ ownerId: string }[]>`select owner_id from opinions.cases where case_id = ${ready.caseId}`;
    assert.ok(ownerId);
    await db()`update opinions.cases set owner_id = null where case_id = ${ready.caseId}`;
    const code = await ready.author.nextCode();
    const early = await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: code }, ready.author.token);
    assert.equal(early.status, 409);
    assert.match((await json<{ type: string }>(early)).type, /case-unknown$/);
    await db()`update opinions.cases set owner_id = ${ownerId} where case_id = ${ready.caseId}`;
    const signed = await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: code }, ready.author.token);
    assert.equal(signed.status, 200, 'the same code still signs: the premature attempt did not spend it');
  });

  it('a professional suspended by ops cannot sign', async () => {
    const ready = await readyToSign(h);
    assert.equal((await h.api.post(`/v1/professionals/${ready.author.id}/status`, { status: 'suspended' }, ready.ops.token)).status, 200);
    await relayIdentity(h.opinions, ready.author.id, ['identity.professional.status-changed.v1']);
    const res = await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: await ready.author.nextCode() }, ready.author.token);
    assert.equal(res.status, 403);
    assert.ok(!(await opinionEvents(ready.caseId)).some((e) => e.type === 'opinion.delivered.v1'));
  });

  it('a signed opinion never changes: the API answers 409 and the database refuses UPDATE and DELETE', async () => {
    const ready = await readyToSign(h);
    const signed = await sign(h, ready);
    assert.equal((await put(h, `/v1/cases/${ready.caseId}/opinion/draft`, fullDraft({ summary: 'changed' }), ready.author.token)).status, 409);
    assert.equal((await h.api.post(`/v1/cases/${ready.caseId}/opinion/submit`, undefined, ready.author.token)).status, 409);
    assert.equal((await h.api.post(`/v1/cases/${ready.caseId}/opinion/sign`, { totp: '123456' }, ready.author.token)).status, 409);
    const sql = db();
    await assert.rejects(sql`update opinions.signed set content_hash = ${'0'.repeat(64)} where case_id = ${ready.caseId}`, /immutable/);
    await assert.rejects(sql`update opinions.signed set canonical_sealed = 'v1.x.y.z' where case_id = ${ready.caseId}`, /immutable/);
    await assert.rejects(sql`delete from opinions.signed where case_id = ${ready.caseId}`, /immutable/);
    await assert.rejects(sql`update opinions.opinions set status = 'draft' where case_id = ${ready.caseId}`, /signed and cannot change/);
    await assert.rejects(sql`update opinions.versions set content_sealed = 'v1.x.y.z' where opinion_id = (select opinion_id from opinions.signed where case_id = ${ready.caseId})`, /immutable/);
    const [row] = await sql<{ contentHash: string }[]>`select content_hash from opinions.signed where case_id = ${ready.caseId}`;
    assert.equal(row!.contentHash, signed.contentHash);
    const verified = await json<{ valid: boolean }>(await h.api.get(`/v1/opinions/verify?hash=${signed.contentHash}`));
    assert.equal(verified.valid, true);
  });

  it('a changed byte in the content fails verification', async () => {
    const ready = await readyToSign(h);
    const signed = await sign(h, ready);
    const { canonical, ownerId, row } = await storedCanonical(ready.caseId);
    const key = (await keyring().existingKey(db(), ownerId))!;
    // Forgeries must go in as new rows (the signed one cannot change), under another case of the same patient.
    const forge = async (canonicalSealed: string, contentHash: string) => {
      const caseId = randomUUID();
      await deliver(h.opinions, CaseSubmittedV1, { caseId, ownerId, urgency: 'standard', price: { amount: 1, currency: 'EUR' }, documentIds: [], questionCount: 2, patientLanguages: [] });
      await db()`insert into opinions.signed ${db()({ opinionId: randomUUID(), caseId, canonicalSealed, contentHash, signature: row.signature, kid: row.kid as string, signerId: row.signerId as string, signedAt: row.signedAt as Date })}`;
      return (await json<{ valid: boolean }>(await h.api.get(`/v1/opinions/verify?hash=${contentHash}`))).valid;
    };
    // One byte of the text changed, hash recomputed, properly sealed, the original signature copied: refused.
    const changed = canonical.replace('No surgery', 'No surgerx');
    assert.notEqual(changed, canonical);
    assert.equal(await forge(seal(key, changed, contexts.signed(hashOf(changed))), hashOf(changed)), false);
    // The original text claimed under another hash: the hash recomputed from the text does not match.
    const otherHash = hashOf(`${canonical} `);
    assert.equal(await forge(seal(key, canonical, contexts.signed(otherHash)), otherHash), false);
    // One byte of the sealed value flipped: the encryption refuses it.
    const cipher = row.canonicalSealed.split('.');
    const body = Buffer.from(cipher[3]!, 'base64url');
    body[5] = body[5]! ^ 1;
    const flipped = [cipher[0], cipher[1], cipher[2], body.toString('base64url')].join('.');
    assert.equal(openSigned(key, { contentHash: signed.contentHash, signature: row.signature, kid: row.kid as string, signerId: 'x', signedAt: new Date(), caseId: ready.caseId, canonicalSealed: flipped }), undefined);
    assert.equal((await json<{ valid: boolean }>(await h.api.get(`/v1/opinions/verify?hash=${signed.contentHash}`))).valid, true, 'the original still verifies');
  });

  it('verify: an unknown hash is valid: false; something that is not a hash is 400', async () => {
    assert.deepEqual(await json(await h.api.get(`/v1/opinions/verify?hash=${'ab'.repeat(32)}`)), { valid: false });
    const bad = await h.api.get('/v1/opinions/verify?hash=xyz');
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /problem\+json/);
  });
});
