import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { hash } from '@node-rs/argon2';
import { verifyAccessToken } from '../../shared/auth/authenticate.ts';
import { jwksInProcess } from '../../shared/auth/keys.ts';
import { config } from '../../shared/config/index.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { ARGON2, normalizePassword } from './passwords.ts';
import { claimsOf, client, eventsAbout, identityApp, login, newPatient, PASSWORD, uniqueEmail } from './testing.ts';

describe('POST /v1/auth/login', () => {
  after(() => closeDb());
  const app = identityApp();

  it('answers a token pair whose access token verifies against the served JWKS', async () => {
    const api = client(app);
    const { id, email } = await newPatient(api);
    const tokens = await login(api, email.toUpperCase());
    assert.equal(tokens.expiresIn, config().auth.accessTtlSeconds);
    assert.ok(tokens.refreshToken.length >= 43, '≥ 256 bits, base64url');
    const keys = jwksInProcess(async () => (await (await api.get('/v1/auth/jwks.json')).json()) as never);
    const principal = await verifyAccessToken(tokens.accessToken, { keys });
    assert.equal(principal?.id, id);
    assert.equal(principal?.role, 'patient');
    assert.equal(principal?.mfa, false);
    const header = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string; typ: string };
    assert.equal(header.alg, 'EdDSA');
    assert.equal(header.typ, 'at+jwt');
    assert.ok(header.kid);
    const claims = claimsOf(tokens.accessToken);
    assert.equal(claims.iss, config().auth.issuer);
    assert.equal(claims.aud, config().auth.audience);
    const types = (await eventsAbout(id)).map((e) => e.type);
    assert.ok(types.includes('identity.login.succeeded.v1'));
  });

  it('answers an unknown e-mail and a wrong password identically, in about the same time', async () => {
    // A high lockout threshold: this test fails on purpose more often than the slow-down allows.
    const api = client(identityApp({ lockoutThreshold: 50 }));
    const { email } = await newPatient(api);
    const strip = async (res: Response) => ({ status: res.status, body: await res.json(), type: res.headers.get('content-type') });
    const timed = async (body: object) => {
      const started = performance.now();
      const res = await strip(await api.post('/v1/auth/login', body));
      return { res, ms: performance.now() - started };
    };
    const wrong = await timed({ email, password: 'not the right passphrase' });
    const unknown = await timed({ email: uniqueEmail('nobody'), password: 'not the right passphrase' });
    assert.equal(wrong.res.status, 401);
    assert.deepEqual(unknown.res, wrong.res);
    // Both verify one argon2id hash. Interleave the runs and compare medians to ride out noise from parallel suites.
    const wrongRuns: number[] = [];
    const unknownRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrongRuns.push((await timed({ email, password: 'another wrong passphrase' })).ms);
      unknownRuns.push((await timed({ email: uniqueEmail('nobody'), password: 'another wrong passphrase' })).ms);
    }
    const median = (runs: number[]) => runs.sort((x, y) => x - y)[2]!;
    const [a, b] = [median(wrongRuns), median(unknownRuns)];
    assert.ok(Math.min(a, b) / Math.max(a, b) > 0.33, `wrong password ${a} ms vs unknown e-mail ${b} ms`);
  });

  it('slows an account down after repeated failures, the same for an unknown e-mail', async () => {
    const strict = identityApp({ lockoutThreshold: 3, lockoutMaxSeconds: 60 });
    const api = client(strict);
    const { id, email } = await newPatient(api);
    const statuses = async (address: string) => {
      const out: number[] = [];
      for (let i = 0; i < 4; i++) out.push((await api.post('/v1/auth/login', { email: address, password: 'wrong passphrase again' })).status);
      return out;
    };
    assert.deepEqual(await statuses(email), [401, 401, 401, 429]);
    assert.deepEqual(await statuses(uniqueEmail('nobody')), [401, 401, 401, 429]);
    // Locked: even the right password waits.
    const locked = await api.post('/v1/auth/login', { email, password: PASSWORD });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    const types = (await eventsAbout(id)).map((e) => e.type);
    assert.ok(types.includes('identity.login.failed.v1'));
    assert.ok(types.includes('identity.account.locked.v1'));
    for (const event of await eventsAbout(id)) assert.doesNotMatch(JSON.stringify(event.data), /@/, 'no e-mail in event data');
  });

  it('rate-limits logins per IP under a burst, then lets them through after the window', async () => {
    const limited = identityApp({ loginIp: { limit: 3, windowSeconds: 2 } });
    const api = client(limited);
    const { email } = await newPatient(client(app));
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.post('/v1/auth/login', { email, password: PASSWORD })));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 3, statuses.join());
    assert.equal(statuses.filter((s) => s === 429).length, 5, statuses.join());
    await new Promise((r) => setTimeout(r, 3100));
    assert.equal((await api.post('/v1/auth/login', { email, password: PASSWORD })).status, 200);
  });

  it('rate-limits per account across addresses', async () => {
    const limited = identityApp({ loginAccount: { limit: 2, windowSeconds: 60 } });
    const { email } = await newPatient(client(app));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await client(limited).post('/v1/auth/login', { email, password: PASSWORD })).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
  });

  it('rehashes a password stored with older parameters at the next login', async () => {
    const api = client(app);
    const { id, email } = await newPatient(api);
    const old = await hash(normalizePassword(PASSWORD), { ...ARGON2, memoryCost: 8192, timeCost: 1 });
    await db()`update identity.users set password_hash = ${old} where id = ${id}`;
    await login(api, email);
    const [row] = await db()<{ passwordHash: string }[]>`select password_hash from identity.users where id = ${id}`;
    assert.match(row!.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await login(api, email);
  });

  it('accepts the password in another Unicode normal form (NFKC)', async () => {
    const api = client(app);
    const email = uniqueEmail();
    const res = await api.post('/v1/auth/register', { email, password: 'ｆｕｌｌ ｗｉｄｔｈ passphrase', name: 'X', country: 'JP' });
    assert.equal(res.status, 201);
    await login(api, email, 'full width passphrase');
  });
});
