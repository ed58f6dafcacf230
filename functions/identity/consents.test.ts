import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb } from '../../shared/db/index.ts';
import { client, eventsAbout, identityApp, login, newOps, newPatient, PASSWORD, uniqueEmail } from './testing.ts';

describe('consents', () => {
  after(() => closeDb());
  const app = identityApp();

  it('records each change, answers the current consent per purpose, and emits consent.changed.v1', async () => {
    const api = client(app);
    const { id, email } = await newPatient(api);
    const { accessToken } = await login(api, email);
    const give = (purpose: string, granted: boolean, version = '2026-12') => api.post('/v1/consents', { purpose, version, granted }, accessToken);
    const first = await give('processing', true);
    assert.equal(first.status, 201);
    assert.equal(((await first.json()) as { granted: boolean }).granted, true);
    assert.equal((await give('ai_analysis', true)).status, 201);
    assert.equal((await give('ai_analysis', false, '2026-12b')).status, 201);
    const { items } = (await (await api.get('/v1/consents', accessToken)).json()) as { items: { purpose: string; version: string; granted: boolean }[] };
    const current = Object.fromEntries(items.map((i) => [i.purpose, [i.version, i.granted]]));
    assert.deepEqual(current, { processing: ['2026-12', true], ai_analysis: ['2026-12b', false] });
    const changes = (await eventsAbout(id)).filter((e) => e.type === 'consent.changed.v1').map((e) => [e.data.purpose, e.data.granted]);
    assert.deepEqual(changes, [['processing', true], ['ai_analysis', true], ['ai_analysis', false]]);
  });

  it('refuses unknown purposes (400), anonymous callers (401) and non-patients (403)', async () => {
    const api = client(app);
    const { email } = await newPatient(api);
    const { accessToken } = await login(api, email);
    assert.equal((await api.post('/v1/consents', { purpose: 'marketing', version: '1', granted: true }, accessToken)).status, 400);
    assert.equal((await api.post('/v1/consents', { purpose: 'processing', version: '1', granted: true })).status, 401);
    const ops = await newOps(api);
    assert.equal((await api.post('/v1/consents', { purpose: 'processing', version: '1', granted: true }, ops.tokens.accessToken)).status, 403);
    const proEmail = uniqueEmail('pro');
    await api.post('/v1/professionals', {
      email: proEmail, password: PASSWORD, name: 'Dr X', country: 'FR', licenseNumber: 'L1', licenseCountry: 'FR', specialties: ['oncology'], languages: ['fr'],
    });
    const pro = await login(api, proEmail);
    assert.equal((await api.post('/v1/consents', { purpose: 'processing', version: '1', granted: true }, pro.accessToken)).status, 403);
  });
});
