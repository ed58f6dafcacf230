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
    assert.equal(config.platformOidc, undefined, 'platform tokens only');
    assert.equal(config.busBroker, undefined, 'the worker delivers to functions itself');
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
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REVIEW_SAMPLE_RATE: '2', PUBLIC_URL: 'not a url' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /PORT/);
        assert.match(text, /DATABASE_URL/);
        assert.match(text, /REVIEW_SAMPLE_RATE/);
        assert.match(text, /PUBLIC_URL: must be a URL/);
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

  describe('Knative Eventing OIDC (PLATFORM_OIDC_*)', () => {
    it('is on when the issuer is set, with its keys discovered or at PLATFORM_OIDC_JWKS_URL', () => {
      const issuer = 'https://kubernetes.default.svc.cluster.local';
      assert.deepEqual(loadConfig({ PLATFORM_OIDC_ISSUER: ` ${issuer} ` }).platformOidc, { issuer, jwksUrl: undefined });
      assert.deepEqual(
        loadConfig({ PLATFORM_OIDC_ISSUER: issuer, PLATFORM_OIDC_JWKS_URL: 'https://10.0.0.1/openid/v1/jwks' }).platformOidc,
        { issuer, jwksUrl: 'https://10.0.0.1/openid/v1/jwks' },
      );
    });

    it('takes any issuer whose keys are named, but only an http(s) URL as a place to discover them', () => {
      const named = loadConfig({ PLATFORM_OIDC_ISSUER: 'kubernetes/serviceaccount', PLATFORM_OIDC_JWKS_URL: 'https://api/openid/v1/jwks' });
      assert.equal(named.platformOidc?.issuer, 'kubernetes/serviceaccount');
      assert.throws(() => loadConfig({ PLATFORM_OIDC_ISSUER: 'kubernetes/serviceaccount' }), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, ['PLATFORM_OIDC_ISSUER: must be an http(s) URL to discover its keys, or set PLATFORM_OIDC_JWKS_URL']);
        return true;
      });
    });

    it('refuses a JWKS address that is not an http(s) URL, naming the setting', () => {
      const issuer = 'https://kubernetes.default.svc.cluster.local';
      assert.throws(() => loadConfig({ PLATFORM_OIDC_ISSUER: issuer, PLATFORM_OIDC_JWKS_URL: 'file:///etc/jwks.json' }), /PLATFORM_OIDC_JWKS_URL: must use http: or https:/);
      assert.throws(() => loadConfig({ PLATFORM_OIDC_ISSUER: issuer, PLATFORM_OIDC_JWKS_URL: 'jwks' }), /PLATFORM_OIDC_JWKS_URL: must be a URL/);
    });

    it('stays off without the issuer, as it always has, whatever the JWKS address', () => {
      assert.equal(loadConfig({ PLATFORM_OIDC_JWKS_URL: 'https://api/openid/v1/jwks' }).platformOidc, undefined);
      assert.equal(loadConfig({ PLATFORM_OIDC_ISSUER: '' }).platformOidc, undefined);
    });
  });

  describe('the bus worker bridging to the Knative Broker (BUS_BROKER_*)', () => {
    it('is on when the Broker ingress is set, with or without a token file', () => {
      assert.deepEqual(loadConfig({ BUS_BROKER_URL: 'http://b/ns/default' }).busBroker, { url: 'http://b/ns/default', tokenFile: undefined });
      assert.deepEqual(
        loadConfig({ BUS_BROKER_URL: ' https://b/ns/default ', BUS_BROKER_TOKEN_FILE: ' /var/run/secrets/consilium/broker/token ' }).busBroker,
        { url: 'https://b/ns/default', tokenFile: '/var/run/secrets/consilium/broker/token' },
      );
    });

    it('refuses an ingress that is not an http(s) URL, naming the setting and not the value', () => {
      for (const [value, why] of [['broker', 'must be a URL'], ['nats://user:s3cret@b:4222', 'must use http: or https:']]) {
        assert.throws(() => loadConfig({ BUS_BROKER_URL: value }), (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.deepEqual(error.problems, [`BUS_BROKER_URL: ${why}`]);
          assert.doesNotMatch(error.message, /s3cret/);
          return true;
        });
      }
    });

    it('stays off without the ingress: a token file alone is not read', () => {
      assert.equal(loadConfig({ BUS_BROKER_TOKEN_FILE: '/var/run/secrets/consilium/broker/token' }).busBroker, undefined);
    });
  });
});
