import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './index.ts';

describe('loadConfig', () => {
  it('falls back to the embedded default for every unset service', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, '.data');
    assert.equal(config.database, undefined);
    assert.equal(config.nats, undefined);
    assert.equal(config.s3, undefined);
    assert.equal(config.redis, undefined);
    assert.equal(config.paymentsSandbox, true);
    assert.equal(config.reviewSampleRate, 0.1);
    assert.ok(config.platformSecret.length >= 32);
  });

  it('reads configured services', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u:p@db:6432/consilium',
      NATS_URL: 'nats://nats:4222',
      UPSTASH_REDIS_REST_URL: 'http://redis-http',
      UPSTASH_REDIS_REST_TOKEN: 'token',
      PAYMENTS_SANDBOX: 'false',
    });
    assert.equal(config.port, 9000);
    assert.equal(config.database?.url, 'postgres://u:p@db:6432/consilium');
    assert.equal(config.nats?.url, 'nats://nats:4222');
    assert.deepEqual(config.redis, { url: 'http://redis-http', token: 'token' });
    assert.equal(config.paymentsSandbox, false);
  });

  it('lists every invalid setting in one error', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REVIEW_SAMPLE_RATE: '2' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /PORT/);
        assert.match(text, /DATABASE_URL/);
        assert.match(text, /REVIEW_SAMPLE_RATE/);
        return true;
      },
    );
  });

  it('names the missing half of a service configured by halves', () => {
    assert.throws(() => loadConfig({ S3_ENDPOINT: 'http://minio:9000' }), /S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: required together with S3_ENDPOINT/);
  });

  it('refuses embedded defaults in production and says which setting is missing', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', PAYMENTS_SANDBOX: 'true' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        for (const name of ['DATABASE_URL', 'NATS_URL', 'S3_ENDPOINT', 'UPSTASH_REDIS_REST_URL', 'PLATFORM_SECRET', 'PAYMENTS_SANDBOX']) {
          assert.match(text, new RegExp(name));
        }
        return true;
      },
    );
  });

  it('starts in production when every service is named', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@pooler:5432/consilium',
      NATS_URL: 'nats://nats:4222',
      S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
      S3_BUCKET: 'records',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      UPSTASH_REDIS_REST_URL: 'https://redis-http',
      UPSTASH_REDIS_REST_TOKEN: 'token',
      PLATFORM_SECRET: 'x'.repeat(32),
    });
    assert.equal(config.production, true);
    assert.equal(config.paymentsSandbox, false);
  });
});
