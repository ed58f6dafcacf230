import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb } from '../../shared/db/index.ts';
import { claimsOf, client, eventsAbout, identityApp, login, newOps, newPatient, PASSWORD, uniqueEmail, type Client } from './testing.ts';
import { totpCode } from './totp.ts';

const application = (email: string) => ({
  email,
  password: PASSWORD,
  name: 'Dr Jane Doe',
  country: 'FR',
  licenseNumber: 'RPPS 10101010101',
  licenseCountry: 'FR',
  specialties: ['cardiology'],
  languages: ['fr', 'en'],
});

async function apply(api: Client): Promise<{ id: string; email: string }> {
  const email = uniqueEmail('pro');
  const res = await api.post('/v1/professionals', application(email));
  assert.equal(res.status, 201);
  const body = (await res.json()) as { id: string; status: string };
  assert.equal(body.status, 'pending_verification');
  return { id: body.id, email };
}

describe('professionals', () => {
  after(() => closeDb());
  const app = identityApp();

  it('serves the specialties as lower-case slugs', async () => {
    const { items } = (await (await client(app).get('/v1/specialties')).json()) as { items: string[] };
    for (const slug of ['cardiology', 'endocrinology', 'oncology', 'neurology', 'orthopedics', 'radiology']) assert.ok(items.includes(slug));
    for (const slug of items) assert.match(slug, /^[a-z]+(-[a-z]+)*$/);
  });

  it('apply → 201 pending_verification; unknown specialties are refused', async () => {
    const api = client(app);
    const { id } = await apply(api);
    assert.ok((await eventsAbout(id)).some((e) => e.type === 'identity.professional.registered.v1'));
    const bad = await api.post('/v1/professionals', { ...application(uniqueEmail()), specialties: ['Cardiology'] });
    assert.equal(bad.status, 400);
  });

  it('ops verify with grade and specialties → active; the grade reaches the token', async () => {
    const api = client(app);
    const { id, email } = await apply(api);
    const pending = await login(api, email);
    assert.equal(claimsOf(pending.accessToken).grade, undefined, 'no grade before verification');
    const ops = await newOps(api);
    const res = await api.post(`/v1/professionals/${id}/verify`, { grade: 'G3', specialties: ['cardiology', 'radiology'] }, ops.tokens.accessToken);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'active');
    const verified = (await eventsAbout(id)).find((e) => e.type === 'identity.professional.verified.v1');
    assert.deepEqual(verified?.data, { professionalId: id, grade: 'G3', specialties: ['cardiology', 'radiology'], languages: ['fr', 'en'], licenseCountry: 'FR', verifiedBy: ops.id });
    const tokens = await login(api, email);
    assert.equal(claimsOf(tokens.accessToken).grade, 'G3');
    assert.equal(claimsOf(tokens.accessToken).role, 'professional');
    const me = (await (await api.get('/v1/me', tokens.accessToken)).json()) as { professional: { status: string; grade: string } };
    assert.deepEqual(me.professional, { status: 'active', grade: 'G3', specialties: ['cardiology', 'radiology'] });
  });

  it('only ops verify: a patient or the professional gets 403; an unknown id 404; a bad grade 400', async () => {
    const api = client(app);
    const { id, email } = await apply(api);
    const patient = await newPatient(api);
    const patientTokens = await login(api, patient.email);
    assert.equal((await api.post(`/v1/professionals/${id}/verify`, { grade: 'G2', specialties: ['cardiology'] }, patientTokens.accessToken)).status, 403);
    const self = await login(api, email);
    assert.equal((await api.post(`/v1/professionals/${id}/verify`, { grade: 'G4', specialties: ['cardiology'] }, self.accessToken)).status, 403);
    const ops = await newOps(api);
    assert.equal((await api.post('/v1/professionals/nobody/verify', { grade: 'G2', specialties: ['cardiology'] }, ops.tokens.accessToken)).status, 404);
    assert.equal((await api.post(`/v1/professionals/${id}/verify`, { grade: 'G5', specialties: ['cardiology'] }, ops.tokens.accessToken)).status, 400);
    assert.equal((await api.post(`/v1/professionals/${id}/verify`, { grade: 'G2', specialties: ['cardiology'] })).status, 401);
  });

  it('ops pause, suspend and reactivate; illegal moves are 409', async () => {
    const api = client(app);
    const { id } = await apply(api);
    const ops = await newOps(api);
    const status = async (to: string) => (await api.post(`/v1/professionals/${id}/status`, { status: to }, ops.tokens.accessToken)).status;
    assert.equal(await status('paused'), 409, 'pending cannot be paused');
    assert.equal((await api.post(`/v1/professionals/${id}/verify`, { grade: 'G1', specialties: ['oncology'] }, ops.tokens.accessToken)).status, 200);
    assert.equal(await status('paused'), 200);
    assert.equal(await status('suspended'), 200);
    assert.equal(await status('paused'), 409);
    assert.equal((await api.post(`/v1/professionals/${id}/verify`, { grade: 'G1', specialties: ['oncology'] }, ops.tokens.accessToken)).status, 409);
    assert.equal(await status('active'), 200);
    assert.ok((await eventsAbout(id)).some((e) => e.type === 'identity.professional.status-changed.v1'));
  });

  it('a professional with MFA on must give a code at login (401 mfa-required), and then carries mfa: true', async () => {
    const api = client(app);
    const { email } = await apply(api);
    const tokens = await login(api, email);
    const setup = await api.post('/v1/auth/mfa/setup', undefined, tokens.accessToken);
    const secret = new URL(((await setup.json()) as { otpauthUri: string }).otpauthUri).searchParams.get('secret')!;
    assert.equal((await api.post('/v1/auth/mfa/verify', { code: totpCode(secret) }, tokens.accessToken)).status, 204);
    const res = await api.post('/v1/auth/login', { email, password: PASSWORD });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { type: string }).type, /mfa-required$/);
    const withCode = await login(api, email, PASSWORD, totpCode(secret, Date.now() + 30_000));
    assert.equal(claimsOf(withCode.accessToken).mfa, true);
  });
});
