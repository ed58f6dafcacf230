import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { extractPdfText } from '../documents/pdf-text.ts';
import { harness, opinionEvents, readyToSign, relayIdentity, sign, type Harness } from './testing.ts';

const json = async <T>(res: Response) => (await res.json()) as T;
const HOUR = 3_600_000;

describe('sharing with the treating physician', () => {
  let clock = new Date();
  let h: Harness;
  before(async () => (h = await harness({ now: () => clock, publicUrl: 'https://consilium.example' })));
  after(async () => {
    await h.close();
    await closeDb();
  });

  const consent = async (token: string, userId: string, granted: boolean) => {
    const res = await h.api.post('/v1/consents', { purpose: 'share_with_treating_physician', version: '2026-01', granted }, token);
    assert.equal(res.status, 201, await res.clone().text());
    await relayIdentity(h.opinions, userId, ['consent.changed.v1']);
  };

  it('needs the consent and a signed opinion; the link works until it expires, every use audited; only a hash is stored', async () => {
    clock = new Date();
    const ready = await readyToSign(h);
    const share = (hours: unknown, token = ready.owner.token) => h.api.post(`/v1/cases/${ready.caseId}/opinion/share`, { expiresInHours: hours }, token);
    assert.equal((await share(24)).status, 409, 'not signed yet');
    const signed = await sign(h, ready);
    const refused = await share(24);
    assert.equal(refused.status, 403);
    assert.match((await json<{ type: string }>(refused)).type, /consent-required$/);
    await consent(ready.owner.token, ready.owner.id, true);
    assert.equal((await share(0)).status, 400);
    assert.equal((await share(1.5)).status, 400);
    assert.equal((await share(24, ready.author.token)).status, 403, 'only the patient shares');

    const created = await share(2);
    assert.equal(created.status, 201);
    const { url, expiresAt } = await json<{ url: string; expiresAt: string }>(created);
    assert.equal(expiresAt, new Date(clock.getTime() + 2 * HOUR).toISOString());
    assert.match(url, /^https:\/\/consilium\.example\/v1\/opinions\/shared\/[A-Za-z0-9_-]{43}$/);
    const path = new URL(url).pathname;
    const token = path.split('/').at(-1)!;
    const stored = await db()<{ tokenHash: string }[]>`select token_hash from opinions.share_links where case_id = ${ready.caseId}`;
    assert.equal(stored.length, 1);
    assert.ok(!stored[0]!.tokenHash.includes(token), 'the token itself is not stored');

    const opened = await h.api.get(path);
    assert.equal(opened.status, 200);
    const body = await json<{ contentHash: string; answers: unknown[] }>(opened);
    assert.equal(body.contentHash, signed.contentHash);
    const pdf = await h.api.get(`${path}?format=pdf`);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.ok((await extractPdfText(new Uint8Array(await pdf.arrayBuffer()))).text.includes(signed.contentHash));

    const uses = await db()<{ format: string }[]>`
      select u.format from opinions.share_uses u join opinions.share_links l on l.id = u.link_id where l.case_id = ${ready.caseId} order by u.id`;
    assert.deepEqual(uses.map((u) => u.format), ['json', 'pdf']);
    assert.equal((await opinionEvents(ready.caseId)).filter((e) => e.type === 'opinion.share-link.used.v1').length, 2);

    clock = new Date(clock.getTime() + 2 * HOUR + 1);
    assert.equal((await h.api.get(path)).status, 404, 'expired');
    assert.equal((await h.api.get(`${path.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).status, 404, 'a different token');
    assert.equal((await h.api.get('/v1/opinions/shared/short')).status, 404);
    assert.equal(uses.length, 2, 'failed opens are not uses');
  });

  it('withdrawing the consent stops existing links', async () => {
    clock = new Date();
    const ready = await readyToSign(h);
    await sign(h, ready);
    await consent(ready.owner.token, ready.owner.id, true);
    const { url } = await json<{ url: string }>(await h.api.post(`/v1/cases/${ready.caseId}/opinion/share`, { expiresInHours: 24 }, ready.owner.token));
    const path = new URL(url).pathname;
    assert.equal((await h.api.get(path)).status, 200);
    await consent(ready.owner.token, ready.owner.id, false);
    assert.equal((await h.api.get(path)).status, 404);
  });
});
