import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb } from '../../shared/db/index.ts';
import { verifyStepUp } from './mfa.ts';
import { claimsOf, client, eventsAbout, identityApp, login, newPatient, PASSWORD, type Client, type Tokens } from './testing.ts';
import { totpCode } from './totp.ts';

/** Enrols `tokens`' account and returns the secret (read from the otpauth URI, as an authenticator app does). */
async function enrol(api: Client, tokens: Tokens): Promise<{ secret: string; used: string }> {
  const setup = await api.post('/v1/auth/mfa/setup', undefined, tokens.accessToken);
  assert.equal(setup.status, 200);
  const { otpauthUri } = (await setup.json()) as { otpauthUri: string };
  assert.match(otpauthUri, /^otpauth:\/\/totp\/Consilium:/);
  const secret = new URL(otpauthUri).searchParams.get('secret')!;
  const used = totpCode(secret);
  assert.equal((await api.post('/v1/auth/mfa/verify', { code: used }, tokens.accessToken)).status, 204);
  return { secret, used };
}

describe('MFA (TOTP)', () => {
  after(() => closeDb());
  const app = identityApp();

  it('enrols: setup → otpauthUri, verify a code → 204, MFA is on and announced', async () => {
    const api = client(app);
    const { id, email } = await newPatient(api);
    const tokens = await login(api, email);
    const setup = await api.post('/v1/auth/mfa/setup', undefined, tokens.accessToken);
    const secret = new URL(((await setup.json()) as { otpauthUri: string }).otpauthUri).searchParams.get('secret')!;
    const wrong = String((Number(totpCode(secret)) + 500_000) % 1_000_000).padStart(6, '0');
    const refused = await api.post('/v1/auth/mfa/verify', { code: wrong }, tokens.accessToken);
    assert.equal(refused.status, 422);
    assert.equal((await api.post('/v1/auth/mfa/verify', { code: totpCode(secret) }, tokens.accessToken)).status, 204);
    const me = (await (await api.get('/v1/me', tokens.accessToken)).json()) as { mfa: boolean };
    assert.equal(me.mfa, true);
    assert.ok((await eventsAbout(id)).some((e) => e.type === 'identity.mfa.enabled.v1'));
    assert.equal((await api.post('/v1/auth/mfa/setup', undefined, tokens.accessToken)).status, 409, 'no silent replacement');
  });

  it('then asks for a code at login (401 mfa-required), refuses a replayed code, accepts a fresh one', async () => {
    const api = client(app);
    const { email } = await newPatient(api);
    const { secret, used } = await enrol(api, await login(api, email));

    const missing = await api.post('/v1/auth/login', { email, password: PASSWORD });
    assert.equal(missing.status, 401);
    assert.match(((await missing.json()) as { type: string }).type, /mfa-required$/);

    const replayed = await api.post('/v1/auth/login', { email, password: PASSWORD, totp: used });
    assert.equal(replayed.status, 401, 'the code that confirmed enrolment is spent');

    const fresh = totpCode(secret, Date.now() + 30_000);
    const tokens = await login(api, email, PASSWORD, fresh);
    assert.equal(claimsOf(tokens.accessToken).mfa, true);
    assert.equal((await api.post('/v1/auth/login', { email, password: PASSWORD, totp: fresh })).status, 401, 'each code works once');

    // The wrong password with MFA on is the ordinary 401, not a hint that MFA is on.
    const wrongPassword = await api.post('/v1/auth/login', { email, password: 'wrong passphrase here', totp: fresh });
    assert.match(((await wrongPassword.json()) as { type: string }).type, /invalid-credentials$/);
  });

  it('step-up: a fresh code passes once, over HTTP and in process', async () => {
    const api = client(app);
    const { id, email } = await newPatient(api);
    const tokens = await login(api, email);
    const { secret } = await enrol(api, tokens);
    const next = totpCode(secret, Date.now() + 30_000);
    assert.equal((await api.post('/v1/auth/mfa/step-up', { code: next }, tokens.accessToken)).status, 204);
    assert.equal((await api.post('/v1/auth/mfa/step-up', { code: next }, tokens.accessToken)).status, 401);
    assert.equal(await verifyStepUp(id, next), false, 'replayed');
    assert.equal(await verifyStepUp(id, '000000'), false);
  });

  it('step-up is refused for an account without MFA', async () => {
    const api = client(app);
    const { id } = await newPatient(api);
    assert.equal(await verifyStepUp(id, '123456'), false);
  });

  it('rate-limits code guessing per account', async () => {
    const limited = identityApp({ mfaAccount: { limit: 3, windowSeconds: 60 } });
    const api = client(limited);
    const { email } = await newPatient(api);
    const tokens = await login(api, email);
    await api.post('/v1/auth/mfa/setup', undefined, tokens.accessToken);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await client(limited).post('/v1/auth/mfa/verify', { code: '000000' }, tokens.accessToken)).status);
    assert.equal(statuses.at(-1), 429);
  });
});
