import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb, db } from '../../shared/db/index.ts';
import { createUser } from './ops.ts';
import { claimsOf, client, identityApp, login, PASSWORD, uniqueEmail } from './testing.ts';

describe('createUser (ops accounts from the command line)', () => {
  after(() => closeDb());

  it('creates an ops account that can sign in', async () => {
    const email = uniqueEmail('ops');
    const { id } = await createUser(db(), { role: 'ops', email, password: PASSWORD, name: 'Night shift' });
    const tokens = await login(client(identityApp()), email);
    assert.equal(claimsOf(tokens.accessToken).sub, id);
    assert.equal(claimsOf(tokens.accessToken).role, 'ops');
  });

  it('refuses other roles, weak passwords and taken e-mails with a readable message', async () => {
    const email = uniqueEmail('ops');
    await assert.rejects(createUser(db(), { role: 'patient' as 'ops', email, password: PASSWORD }), /only ops/);
    await assert.rejects(createUser(db(), { role: 'ops', email, password: 'password1234' }), /too common/);
    await assert.rejects(createUser(db(), { role: 'ops', email: 'nope', password: PASSWORD }), /e-mail/);
    await createUser(db(), { role: 'ops', email, password: PASSWORD });
    await assert.rejects(createUser(db(), { role: 'ops', email: email.toUpperCase(), password: PASSWORD }), /exists/);
  });
});
