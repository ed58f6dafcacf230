import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { client, eventsAbout, identityApp, newPatient, PASSWORD, uniqueEmail } from './testing.ts';

describe('POST /v1/auth/register', () => {
  after(() => closeDb());
  const app = identityApp();

  it('creates a patient → 201 {id} and emits identity.user.registered.v1', async () => {
    const api = client(app);
    const { id } = await newPatient(api);
    assert.ok(id);
    const events = await eventsAbout(id);
    assert.deepEqual(events.map((e) => e.type), ['identity.user.registered.v1']);
    assert.deepEqual(events[0]!.data, { userId: id, role: 'patient', country: 'GB', locale: null });
  });

  it('refuses a taken e-mail in any case with 409', async () => {
    const api = client(app);
    const { email } = await newPatient(api);
    const res = await api.post('/v1/auth/register', { email: email.toUpperCase(), password: PASSWORD, name: 'Twin', country: 'FR' });
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  });

  it('refuses short and common passwords with a pointer, and accepts any Unicode', async () => {
    const api = client(app);
    for (const password of ['short', 'password1234', 'Qwertyuiop123']) {
      const res = await api.post('/v1/auth/register', { email: uniqueEmail(), password, name: 'X', country: 'FR' });
      assert.equal(res.status, 400, password);
      const problem = (await res.json()) as { errors: { pointer: string }[] };
      assert.ok(problem.errors.some((e) => e.pointer === '/password'), password);
    }
    const unicode = await api.post('/v1/auth/register', { email: uniqueEmail(), password: 'мой пароль очень длинный 🔐', name: 'Ю', country: 'FR' });
    assert.equal(unicode.status, 201);
  });

  it('refuses other roles and bad fields before touching the database', async () => {
    const api = client(app);
    const res = await api.post('/v1/auth/register', { email: 'not-an-email', password: PASSWORD, name: 'X', country: 'France', role: 'ops' });
    assert.equal(res.status, 400);
    const pointers = ((await res.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    assert.deepEqual(pointers, ['/country', '/email', '/role']);
  });

  it('stores name and phone encrypted, never in the clear', async () => {
    const api = client(app);
    const { id } = await newPatient(api, { name: 'Grace Hopper', phone: '+33 6 12 34 56 78' });
    const [row] = await db()<{ nameSealed: string; phoneSealed: string; dataKey: string }[]>`
      select name_sealed, phone_sealed, data_key from identity.users where id = ${id}`;
    assert.ok(row?.dataKey && row.nameSealed && row.phoneSealed);
    assert.doesNotMatch(row.nameSealed, /Grace/);
    assert.doesNotMatch(row.phoneSealed, /12 34/);
  });

  it('rate-limits registrations per IP under a burst, with Retry-After', async () => {
    const limited = identityApp({ registerIp: { limit: 3, windowSeconds: 60 } });
    const api = client(limited);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api.post('/v1/auth/register', { email: uniqueEmail(), password: PASSWORD, name: 'X', country: 'FR' })),
    );
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429]);
    const refused = answers.find((r) => r.status === 429)!;
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    // Another address is not affected.
    const other = await client(limited).post('/v1/auth/register', { email: uniqueEmail(), password: PASSWORD, name: 'X', country: 'FR' });
    assert.equal(other.status, 201);
  });
});
