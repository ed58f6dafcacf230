import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { closeDb, db } from '../db/index.ts';
import { open, openBytes, seal, sealBytes } from './cipher.ts';
import { loadConfig } from '../config/index.ts';
import { configuredKeyWrapper, createKeyring, KeyShreddedError, localKeyWrapper } from './index.ts';

after(closeDb);

describe('cipher', () => {
  const key = randomBytes(32);

  it('round-trips text and bytes, and the sealed forms do not contain the plaintext', () => {
    const sealed = seal(key, 'thyroid nodule', 'doc:1');
    assert.equal(open(key, sealed, 'doc:1'), 'thyroid nodule');
    assert.ok(!sealed.includes('thyroid'));
    const bytes = Buffer.from('%PDF-1.7 hello');
    const sealedBytes = sealBytes(key, bytes, 'doc:1');
    assert.deepEqual(openBytes(key, sealedBytes, 'doc:1'), bytes);
    assert.equal(sealedBytes.indexOf(Buffer.from('%PDF')), -1);
  });

  it('refuses another context, another key, a changed byte and plaintext posing as a sealed blob', () => {
    const sealedBytes = sealBytes(key, Buffer.from('abc'), 'doc:1');
    assert.throws(() => openBytes(key, sealedBytes, 'doc:2'));
    assert.throws(() => openBytes(randomBytes(32), sealedBytes, 'doc:1'));
    const tampered = Buffer.from(sealedBytes);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    assert.throws(() => openBytes(key, tampered, 'doc:1'));
    assert.throws(() => openBytes(key, Buffer.from('%PDF-1.7 not sealed at all, long enough to parse'), 'doc:1'), /unknown format/);
    assert.throws(() => open(key, seal(key, 'x', 'a'), 'b'));
  });
});

describe('the master key', () => {
  const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db/x', NATS_URL: 'nats://n', S3_ENDPOINT: 'https://s3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'i', S3_SECRET_ACCESS_KEY: 's', UPSTASH_REDIS_REST_URL: 'https://r', UPSTASH_REDIS_REST_TOKEN: 't', PLATFORM_SECRET: 'x'.repeat(32) };

  it('is required in production, and the configured one is used', () => {
    assert.throws(() => configuredKeyWrapper(loadConfig(production)), /DATA_MASTER_KEY/);
    const master = randomBytes(32);
    assert.equal(configuredKeyWrapper(loadConfig({ ...production, DATA_MASTER_KEY: master.toString('base64') })).id, localKeyWrapper(master).id);
    assert.equal(configuredKeyWrapper(loadConfig({})).id, 'local:development');
  });
});

describe('keyring', () => {
  const keyring = createKeyring(localKeyWrapper(randomBytes(32)));

  it('creates one key per owner, even when asked concurrently, and stores it only wrapped', async () => {
    const owner = randomUUID();
    const keys = await Promise.all(Array.from({ length: 8 }, () => keyring.keyFor(db(), owner)));
    assert.ok(keys.every((k) => k.equals(keys[0]!)));
    assert.deepEqual(await keyring.existingKey(db(), owner), keys[0]);
    const [row] = await db()<{ wrapped: string }[]>`select wrapped from keyring.data_keys where owner_id = ${owner}`;
    assert.ok(row && !row.wrapped.includes(keys[0]!.toString('base64')));
  });

  it('shreds a key: existing data becomes unreadable and no new key is made for that owner', async () => {
    const owner = randomUUID();
    const key = await keyring.keyFor(db(), owner);
    const sealed = sealBytes(key, Buffer.from('report'), 'doc');
    assert.equal(await keyring.shred(db(), owner), true);
    assert.equal(await keyring.shred(db(), owner), false, 'a second shred changes nothing');
    assert.equal(await keyring.existingKey(db(), owner), undefined);
    await assert.rejects(keyring.keyFor(db(), owner), KeyShreddedError);
    assert.throws(() => openBytes(randomBytes(32), sealed, 'doc'));
  });

  it('shredding an owner without a key prevents one from being created later', async () => {
    const owner = randomUUID();
    assert.equal(await keyring.shred(db(), owner), false);
    await assert.rejects(keyring.keyFor(db(), owner), KeyShreddedError);
  });

  it('remembers a sealing key for a while; key_is_live turns false once another process shreds it', async () => {
    let clock = 1_000_000;
    const wrapper = localKeyWrapper(randomBytes(32));
    const here = createKeyring(wrapper, [], { sealingKeySeconds: 30, now: () => clock });
    const elsewhere = createKeyring(wrapper);
    const owner = randomUUID();
    const live = async () => (await db()<{ live: boolean }[]>`select keyring.key_is_live(${owner}) as live`)[0]!.live;

    const first = await here.sealingKeyFor(db(), owner);
    assert.deepEqual(first, await elsewhere.existingKey(db(), owner), 'the owner key, made on first use');
    assert.equal(await live(), true);
    assert.equal(await elsewhere.shred(db(), owner), true);
    assert.deepEqual(await here.sealingKeyFor(db(), owner), first, 'remembered: not read again');
    assert.equal(await live(), false, 'but nothing may be stored under it any more');
    clock += 31_000;
    await assert.rejects(here.sealingKeyFor(db(), owner), KeyShreddedError, 'forgotten after its time');

    const other = randomUUID();
    await here.sealingKeyFor(db(), other);
    await here.shred(db(), other);
    await assert.rejects(here.sealingKeyFor(db(), other), KeyShreddedError, 'forgotten at once when shredded here');
  });

  it('reads keys wrapped by a previous master key after rotation, and wraps new ones with the current', async () => {
    const old = localKeyWrapper(randomBytes(32), `old-${randomUUID()}`);
    const owner = randomUUID();
    const key = await createKeyring(old).keyFor(db(), owner);
    const current = localKeyWrapper(randomBytes(32), `new-${randomUUID()}`);
    assert.deepEqual(await createKeyring(current, [old]).keyFor(db(), owner), key);
    await assert.rejects(createKeyring(current).keyFor(db(), owner), /does not have/);
    const fresh = randomUUID();
    await createKeyring(current, [old]).keyFor(db(), fresh);
    const [row] = await db()<{ wrappedBy: string }[]>`select wrapped_by from keyring.data_keys where owner_id = ${fresh}`;
    assert.equal(row?.wrappedBy, current.id);
  });
});
