import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { unwrapDataKey, personCipher } from './crypto.ts';
import { keyring, openBytes, sealBytes } from '../../shared/keyring/index.ts';
import { shredPersonalData } from './queries.ts';
import { client, identityApp, login, newPatient } from './testing.ts';

describe('erasure by key shredding', () => {
  after(() => closeDb());

  it('makes personal data unreadable even from a copy taken before, and ends the sessions', async () => {
    const api = client(identityApp());
    const { id, email } = await newPatient(api, { name: 'Erase Me', phone: '+33 6 00 00 00 00' });
    const tokens = await login(api, email);
    const record = sealBytes(await keyring().keyFor(db(), id), Buffer.from('discharge letter'), 'document:x');
    assert.equal(openBytes((await keyring().existingKey(db(), id))!, record, 'document:x').toString(), 'discharge letter');
    const [backup] = await db()<{ dataKey: string; nameSealed: string }[]>`select data_key, name_sealed from identity.users where id = ${id}`;
    assert.equal(personCipher(id, unwrapDataKey(id, backup!.dataKey)).open('name', backup!.nameSealed), 'Erase Me');

    assert.equal(await transaction((tx) => shredPersonalData(tx, id)), true);
    const [row] = await db()<{ dataKey: string | null }[]>`select data_key from identity.users where id = ${id}`;
    assert.equal(row!.dataKey, null);
    assert.equal(await keyring().existingKey(db(), id), undefined, 'the health-data key is shredded in the same transaction');
    await assert.rejects(keyring().keyFor(db(), id), /shredded/, 'and no new one is made: the sealed record stays unreadable');
    assert.equal((await api.get('/v1/me', tokens.accessToken)).status, 401, 'sessions ended');
    assert.equal((await api.post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })).status, 401);
    assert.equal(await transaction((tx) => shredPersonalData(tx, 'nobody')), false);
  });
});
