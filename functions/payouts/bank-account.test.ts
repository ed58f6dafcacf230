import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { createPayouts } from './app.ts';
import { defaultBankKey, openBank } from './bank-seal.ts';
import { login, newPatient } from '../identity/testing.ts';
import { client, platformApp, putJson, signedInOps, signedInProfessional } from './testing.ts';

type Problem = { type: string; status: number; errors?: { pointer: string; message: string }[] };

describe('PUT /v1/payouts/bank-account', () => {
  after(() => closeDb());
  const app = platformApp(createPayouts());
  const api = () => {
    const base = client(app);
    return Object.assign(base, { put: (path: string, body: unknown, token?: string) => putJson(app, base, path, body, token) });
  };

  it('a professional with MFA sets a valid IBAN; it is stored sealed and read back masked', async () => {
    const http = api();
    const pro = await signedInProfessional(http);
    const res = await http.put('/v1/payouts/bank-account', { iban: 'de89 3704 0044 0532 0130 00', bic: 'cobadeffxxx', accountHolderName: 'Dr Zoë Müller' }, pro.token);
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { iban: string; bic: string; accountHolderName: string };
    assert.equal(body.iban, 'DE89••••••••••••••3000');
    assert.equal(body.bic, 'COBADEFFXXX');
    assert.equal(body.accountHolderName, 'Dr Zoë Müller');
    const [row] = await db()<{ sealed: string; ibanLast4: string }[]>`select sealed, iban_last4 from payouts.bank_accounts where professional_id = ${pro.id}`;
    assert.equal(row!.ibanLast4, '3000');
    assert.ok(!row!.sealed.includes('DE89') && !row!.sealed.includes('0532') && !row!.sealed.includes('Müller'), 'nothing readable at rest');
    const read = await http.get('/v1/payouts/bank-account', pro.token);
    assert.deepEqual(((await read.json()) as { iban: string }).iban, body.iban);
    // Replacing it keeps one row.
    assert.equal((await http.put('/v1/payouts/bank-account', { iban: 'GB82 WEST 1234 5698 7654 32', accountHolderName: 'Dr Z Müller' }, pro.token)).status, 200);
    const [count] = await db()<{ n: string }[]>`select count(*)::text as n from payouts.bank_accounts where professional_id = ${pro.id}`;
    assert.equal(count!.n, '1');
    assert.equal(((await (await http.get('/v1/payouts/bank-account', pro.token)).json()) as { bic: string | null }).bic, null);
  });

  it('seals with the injected key (32 bytes only), not the default one', async () => {
    const key = randomBytes(32);
    const keyed = platformApp(createPayouts({ bankKey: key }));
    const http = client(keyed);
    const pro = await signedInProfessional(http);
    assert.equal((await putJson(keyed, http, '/v1/payouts/bank-account', { iban: 'NL91ABNA0417164300', accountHolderName: 'Dr Zoë Müller' }, pro.token)).status, 200);
    const [row] = await db()<{ sealed: string }[]>`select sealed from payouts.bank_accounts where professional_id = ${pro.id}`;
    assert.equal(openBank(key, pro.id, row!.sealed).iban, 'NL91ABNA0417164300');
    assert.throws(() => openBank(defaultBankKey(), pro.id, row!.sealed));
    assert.throws(() => createPayouts({ bankKey: randomBytes(16) }), /32 bytes/);
  });

  it('a bad IBAN checksum or BIC is 422 with pointers, and nothing is stored', async () => {
    const http = api();
    const pro = await signedInProfessional(http);
    const res = await http.put('/v1/payouts/bank-account', { iban: 'DE89370400440532013001', bic: 'NOTABIC', accountHolderName: 'Dr Zoë Müller' }, pro.token);
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as Problem;
    assert.deepEqual(problem.errors?.map((e) => e.pointer), ['/iban', '/bic']);
    assert.match(problem.errors![0]!.message, /mod 97/);
    assert.ok(!JSON.stringify(problem).includes('DE89370400440532013001'), 'the IBAN is not echoed');
    assert.equal((await http.get('/v1/payouts/bank-account', pro.token)).status, 404);
    const missing = await http.put('/v1/payouts/bank-account', { iban: 'DE89370400440532013000' }, pro.token);
    assert.equal(missing.status, 400);
    assert.deepEqual(((await missing.json()) as Problem).errors?.map((e) => e.pointer), ['/accountHolderName']);
  });

  it('needs a professional signed in with MFA: without it 403 mfa-required; ops and patients 403; nobody 401', async () => {
    const http = api();
    const body = { iban: 'DE89370400440532013000', accountHolderName: 'Dr Zoë Müller' };
    const noMfa = await signedInProfessional(http, { mfa: false });
    const res = await http.put('/v1/payouts/bank-account', body, noMfa.token);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as Problem).type, /mfa-required$/);
    const ops = await signedInOps(http);
    assert.equal((await http.put('/v1/payouts/bank-account', body, ops.token)).status, 403);
    const patient = await newPatient(http);
    assert.equal((await http.put('/v1/payouts/bank-account', body, (await login(http, patient.email)).accessToken)).status, 403);
    assert.equal((await http.put('/v1/payouts/bank-account', body)).status, 401);
    const [row] = await db()<{ n: string }[]>`select count(*)::text as n from payouts.bank_accounts where professional_id = ${noMfa.id}`;
    assert.equal(row!.n, '0');
  });
});
