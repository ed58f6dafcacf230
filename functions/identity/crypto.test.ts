import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '../../shared/config/index.ts';
import { masterKey, newDataKey, open, personCipher, seal, unwrapDataKey } from './crypto.ts';

describe('personal data encryption', () => {
  it('round-trips a value and refuses another context, key or an altered value', () => {
    const key = randomBytes(32);
    const sealed = seal(key, 'Ada Lovelace ✓', 'user:1:name');
    assert.equal(open(key, sealed, 'user:1:name'), 'Ada Lovelace ✓');
    assert.throws(() => open(key, sealed, 'user:2:name'));
    assert.throws(() => open(randomBytes(32), sealed, 'user:1:name'));
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    assert.throws(() => open(key, [...parts.slice(0, 3), body.toString('base64url')].join('.'), 'user:1:name'));
  });

  it('wraps a per-person key with the master key; without it the data is unreadable (shredding)', () => {
    const { key, wrapped } = newDataKey('u1');
    const sealed = personCipher('u1', key).seal('phone', '+33 6 12 34 56 78');
    assert.equal(personCipher('u1', unwrapDataKey('u1', wrapped)).open('phone', sealed), '+33 6 12 34 56 78');
    assert.throws(() => unwrapDataKey('u2', wrapped));
    assert.throws(() => personCipher('u1', randomBytes(32)).open('phone', sealed));
  });

  it('refuses to run without a master key in production', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@pooler:5432/consilium',
      NATS_URL: 'nats://nats:4222',
      S3_ENDPOINT: 'https://s3.example',
      S3_BUCKET: 'b',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      UPSTASH_REDIS_REST_URL: 'https://redis-http',
      UPSTASH_REDIS_REST_TOKEN: 'token',
      PLATFORM_SECRET: 'x'.repeat(32),
    };
    assert.throws(() => masterKey(loadConfig(production)), /IDENTITY_MASTER_KEY/);
    const configured = randomBytes(32).toString('base64');
    assert.deepEqual(masterKey(loadConfig({ ...production, IDENTITY_MASTER_KEY: configured })), Buffer.from(configured, 'base64'));
  });
});
