import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb } from '../../shared/db/index.ts';
import { client, identityApp, login, newPatient } from './testing.ts';

describe('GET/PATCH /v1/me', () => {
  after(() => closeDb());
  const app = identityApp();

  it('answers my account with personal data decrypted', async () => {
    const api = client(app);
    const { id, email } = await newPatient(api, { name: 'Ada Lovelace', phone: '+44 20 7946 0000', locale: 'en-GB' });
    const { accessToken } = await login(api, email);
    const me = await (await api.get('/v1/me', accessToken)).json();
    assert.deepEqual(me, {
      id,
      email,
      name: 'Ada Lovelace',
      role: 'patient',
      locale: 'en-GB',
      country: 'GB',
      phone: '+44 20 7946 0000',
      mfa: false,
      notificationPreferences: {},
    });
  });

  it('changes name, locale, phone and notification preferences', async () => {
    const api = client(app);
    const { email } = await newPatient(api);
    const { accessToken } = await login(api, email);
    const res = await api.patch('/v1/me', { name: 'Ada King', locale: 'fr-FR', phone: null, notificationPreferences: { channels: ['whatsapp'] } }, accessToken);
    assert.equal(res.status, 204);
    const me = (await (await api.get('/v1/me', accessToken)).json()) as Record<string, unknown>;
    assert.equal(me.name, 'Ada King');
    assert.equal(me.locale, 'fr-FR');
    assert.equal(me.phone, null);
    assert.deepEqual(me.notificationPreferences, { channels: ['whatsapp'] });
    assert.equal((await api.patch('/v1/me', { email: 'new@example.org' }, accessToken)).status, 204, 'unknown fields are ignored, not applied');
    assert.equal(((await (await api.get('/v1/me', accessToken)).json()) as { email: string }).email, email);
    assert.equal((await api.patch('/v1/me', { phone: '12' }, accessToken)).status, 400);
  });

  it('needs a valid token', async () => {
    const api = client(app);
    assert.equal((await api.get('/v1/me')).status, 401);
    assert.equal((await api.get('/v1/me', 'not-a-token')).status, 401);
  });
});
