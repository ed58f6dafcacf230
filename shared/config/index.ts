import * as v from 'valibot';

/** Thrown when the environment cannot produce a valid configuration; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optionalString = v.optional(v.pipe(v.string(), v.trim(), v.minLength(1)));
const url = (protocols: string[]) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.url('must be a URL'),
      // A value that is no URL at all has its issue already; parsing it here would throw instead of listing it.
      v.check((s) => !URL.canParse(s) || protocols.includes(new URL(s).protocol), `must use ${protocols.join(' or ')}`),
    ),
  );
const bool = (fallback: 'true' | 'false') =>
  v.pipe(
    v.optional(v.picklist(['true', 'false', '1', '0'], 'must be true or false'), fallback),
    v.transform((s) => s === 'true' || s === '1'),
  );
const number = (fallback: string, min: number, max: number) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.transform(Number),
    v.number('must be a number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** Every setting the platform reads, by its environment name. Unset services fall back to embedded defaults. */
const key32 = v.optional(
  v.pipe(
    v.string(),
    v.trim(),
    v.check((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
  ),
);

const EnvSchema = v.object({
  NODE_ENV: v.optional(v.picklist(['development', 'test', 'production']), 'development'),
  PORT: v.pipe(number('8080', 0, 65535), v.integer('must be an integer')),
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), '.data'),
  LOG_LEVEL: v.optional(v.picklist(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_MAX: v.pipe(number('10', 1, 1000), v.integer('must be an integer')),
  NATS_URL: optionalString,
  NATS_STREAM: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')), 'CONSILIUM'),
  NATS_SUBJECT_PREFIX: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9_-]+$/, 'lower-case letters, digits, _ and - only')), 'consilium'),
  EVENT_MAX_ATTEMPTS: v.pipe(number('5', 1, 100), v.integer('must be an integer')),
  EVENT_BACKOFF_MS: v.pipe(number('500', 1, 3_600_000), v.integer('must be an integer')),
  FUNCTION_URL_TEMPLATE: v.optional(v.pipe(v.string(), v.includes('{function}', 'must contain {function}'))),
  PLATFORM_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  PUBLIC_URL: url(['http:', 'https:']),
  S3_ENDPOINT: url(['http:', 'https:']),
  S3_BUCKET: optionalString,
  S3_REGION: v.optional(v.string(), 'us-east-1'),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  UPSTASH_REDIS_REST_URL: url(['http:', 'https:']),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  ADYEN_HMAC_KEY: optionalString,
  WHATSAPP_APP_SECRET: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_ACCESS_TOKEN: optionalString,
  SMTP_URL: url(['smtp:', 'smtps:']),
  PAYMENTS_SANDBOX: v.optional(v.picklist(['true', 'false', '1', '0'], 'must be true or false')),
  REVIEW_SAMPLE_RATE: number('0.1', 0, 1),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']),
  OTEL_SERVICE_NAME: optionalString,
  // Identity and access (functions/identity, shared/auth).
  AUTH_ISSUER: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1)), 'consilium'),
  AUTH_AUDIENCE: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1)), 'consilium-api'),
  AUTH_JWKS_URL: url(['http:', 'https:']),
  AUTH_SIGNING_KEYS: optionalString,
  ACCESS_TOKEN_TTL_SECONDS: v.pipe(number('900', 60, 3600), v.integer('must be an integer')),
  REFRESH_TOKEN_TTL_SECONDS: v.pipe(number('2592000', 600, 31_536_000), v.integer('must be an integer')),
  IDENTITY_MASTER_KEY: key32,
  // Case documents (functions/cases): limits per file and per case.
  DOCUMENT_MAX_BYTES: v.pipe(number(String(25 * 1024 ** 2), 1, 5 * 1024 ** 3), v.integer('must be an integer')),
  CASE_MAX_DOCUMENTS: v.pipe(number('20', 1, 1000), v.integer('must be an integer')),
  CASE_MAX_DOCUMENT_BYTES: v.pipe(number(String(200 * 1024 ** 2), 1, 50 * 1024 ** 3), v.integer('must be an integer')),
  // Health data at rest (shared/keyring): wraps each patient's data key.
  DATA_MASTER_KEY: key32,
  // Opinions (functions/opinions): the private Ed25519 JWK that signs them; checked where it is used.
  OPINIONS_SIGNING_KEY: optionalString,
  // Knative Eventing OIDC (shared/auth/oidc.ts): the cluster's service-account token issuer, and where its keys are
  // when not at <issuer>/.well-known/openid-configuration. Off when the issuer is unset.
  PLATFORM_OIDC_ISSUER: optionalString,
  PLATFORM_OIDC_JWKS_URL: url(['http:', 'https:']),
  // The bus worker (triggers/worker): the Knative Broker's ingress it bridges JetStream to, and the projected token
  // file it presents there. Unset: the worker delivers to each function itself.
  BUS_BROKER_URL: url(['http:', 'https:']),
  BUS_BROKER_TOKEN_FILE: optionalString,
});

type Env = v.InferOutput<typeof EnvSchema>;

/** The parsed configuration: each service is either configured or `undefined` (its embedded default). */
export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  port: number;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  publicUrl: string | undefined;
  /**
   * Where the bus worker and other functions reach a function over HTTP (`{function}` is replaced by its name).
   * Outside production it defaults to this process's own origin, where the local runtime serves every function.
   */
  functionUrlTemplate: string;
  /** Signs the platform's internal calls (events, cron). Random per process when unset outside production. */
  platformSecret: string;
  database: { url: string; poolMax: number } | undefined;
  nats: { url: string; stream: string; subjectPrefix: string } | undefined;
  events: { maxAttempts: number; backoffMs: number; stream: string; subjectPrefix: string };
  s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string } | undefined;
  redis: { url: string; token: string } | undefined;
  stripe: { secretKey: string; webhookSecret: string } | undefined;
  adyen: { hmacKey: string } | undefined;
  whatsapp: { appSecret: string; verifyToken: string; accessToken: string } | undefined;
  smtpUrl: string | undefined;
  paymentsSandbox: boolean;
  reviewSampleRate: number;
  otel: { endpoint: string; serviceName: string } | undefined;
  auth: {
    issuer: string;
    audience: string;
    /** Where functions other than identity fetch the public keys; `PUBLIC_URL/v1/auth/jwks.json` when unset. */
    jwksUrl: string | undefined;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    /** Private JWKs (JSON array or JWK Set; the first signs, the rest still verify). Generated and stored when unset outside production. */
    signingKeys: string | undefined;
    /** Wraps per-person data keys and the stored signing keys; a fixed development key when unset outside production. */
    masterKey: string | undefined;
  };
  /** Wraps patients' data keys (health data at rest); a fixed development key when unset outside production. */
  dataMasterKey: string | undefined;
  /** Upload limits: bytes per file, documents per case, bytes per case. */
  documents: { maxBytes: number; maxPerCase: number; maxCaseBytes: number };
  /** The private Ed25519 JWK (JSON) that signs opinions; a development key when unset outside production. */
  opinionsSigningKey: string | undefined;
  /**
   * Where `/_events` and `/_cron` verify Knative Eventing's cluster-issued tokens, accepted beside platform tokens;
   * `jwksUrl` unset means discovered from the issuer. `undefined`: platform tokens only.
   */
  platformOidc: { issuer: string; jwksUrl: string | undefined } | undefined;
  /**
   * The bus worker's JetStream → Knative Broker bridge: the Broker's ingress and the token file presented to it
   * (none sent when unset). `undefined`: the worker delivers to each function's `/_events` itself.
   */
  busBroker: { url: string; tokenFile: string | undefined } | undefined;
}

/**
 * Parses the environment into a {@link Config}, or throws one {@link ConfigError} naming every bad setting.
 *
 * @example
 * const config = loadConfig(process.env);
 * config.database ?? 'embedded PGlite';
 */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.entries).flatMap((k) => (source[k] === undefined || source[k] === '' ? [] : [[k, source[k]]])),
  );
  const parsed = v.safeParse(EnvSchema, known);
  if (!parsed.success) {
    throw new ConfigError(parsed.issues.map((i) => `${v.getDotPath(i) ?? 'environment'}: ${i.message}`));
  }
  const e = parsed.output;
  const problems: string[] = [];
  const group = <T>(names: (keyof Env)[], make: () => T): T | undefined => {
    const set = names.filter((n) => e[n] !== undefined);
    if (set.length === 0) return undefined;
    if (set.length < names.length) {
      const missing = names.filter((n) => e[n] === undefined);
      problems.push(`${missing.join(', ')}: required together with ${set.join(', ')}`);
      return undefined;
    }
    return make();
  };
  const production = e.NODE_ENV === 'production';
  const config: Config = {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL,
    functionUrlTemplate: e.FUNCTION_URL_TEMPLATE ?? (production ? 'http://{function}' : `http://127.0.0.1:${e.PORT}`),
    platformSecret: e.PLATFORM_SECRET ?? randomSecret(),
    database: e.DATABASE_URL ? { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX } : undefined,
    nats: e.NATS_URL ? { url: e.NATS_URL, stream: e.NATS_STREAM, subjectPrefix: e.NATS_SUBJECT_PREFIX } : undefined,
    events: {
      maxAttempts: e.EVENT_MAX_ATTEMPTS,
      backoffMs: e.EVENT_BACKOFF_MS,
      stream: e.NATS_STREAM,
      subjectPrefix: e.NATS_SUBJECT_PREFIX,
    },
    s3: group(['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'], () => ({
      endpoint: e.S3_ENDPOINT!,
      bucket: e.S3_BUCKET!,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID!,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
    })),
    redis: group(['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'], () => ({
      url: e.UPSTASH_REDIS_REST_URL!,
      token: e.UPSTASH_REDIS_REST_TOKEN!,
    })),
    stripe: group(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'], () => ({
      secretKey: e.STRIPE_SECRET_KEY!,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET!,
    })),
    adyen: e.ADYEN_HMAC_KEY ? { hmacKey: e.ADYEN_HMAC_KEY } : undefined,
    whatsapp: group(['WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_ACCESS_TOKEN'], () => ({
      appSecret: e.WHATSAPP_APP_SECRET!,
      verifyToken: e.WHATSAPP_VERIFY_TOKEN!,
      accessToken: e.WHATSAPP_ACCESS_TOKEN!,
    })),
    smtpUrl: e.SMTP_URL,
    paymentsSandbox: e.PAYMENTS_SANDBOX === undefined ? !production : e.PAYMENTS_SANDBOX === 'true' || e.PAYMENTS_SANDBOX === '1',
    reviewSampleRate: e.REVIEW_SAMPLE_RATE,
    otel: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME ?? 'consilium' }
      : undefined,
    auth: {
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      jwksUrl: e.AUTH_JWKS_URL ?? (e.PUBLIC_URL ? new URL('/v1/auth/jwks.json', e.PUBLIC_URL).href : undefined),
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      signingKeys: e.AUTH_SIGNING_KEYS,
      masterKey: e.IDENTITY_MASTER_KEY,
    },
    dataMasterKey: e.DATA_MASTER_KEY,
    documents: { maxBytes: e.DOCUMENT_MAX_BYTES, maxPerCase: e.CASE_MAX_DOCUMENTS, maxCaseBytes: e.CASE_MAX_DOCUMENT_BYTES },
    opinionsSigningKey: e.OPINIONS_SIGNING_KEY,
    platformOidc: e.PLATFORM_OIDC_ISSUER ? { issuer: e.PLATFORM_OIDC_ISSUER, jwksUrl: e.PLATFORM_OIDC_JWKS_URL } : undefined,
    // Not a group: infra gives every function BUS_BROKER_URL, and the token file to the worker alone.
    busBroker: e.BUS_BROKER_URL ? { url: e.BUS_BROKER_URL, tokenFile: e.BUS_BROKER_TOKEN_FILE } : undefined,
  };
  // Any string may be an issuer (it is matched against `iss`), but keys are only discovered over HTTP.
  if (e.PLATFORM_OIDC_ISSUER && !e.PLATFORM_OIDC_JWKS_URL && !isHttpUrl(e.PLATFORM_OIDC_ISSUER)) {
    problems.push('PLATFORM_OIDC_ISSUER: must be an http(s) URL to discover its keys, or set PLATFORM_OIDC_JWKS_URL');
  }
  if (production) problems.push(...productionProblems(config, e));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Embedded defaults are for one machine; production must name the real service behind each of them. */
function productionProblems(config: Config, e: Env): string[] {
  const refusals: [boolean, string][] = [
    [!config.database, 'DATABASE_URL: required in production (the embedded PGlite database is for development only)'],
    [!config.nats, 'NATS_URL: required in production (the in-process event dispatcher cannot reach other services)'],
    [!config.s3, 'S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: required in production (blobs on local disk)'],
    [!config.redis, 'UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN: required in production (in-memory cache and rate limits)'],
    [!e.PLATFORM_SECRET, 'PLATFORM_SECRET: required in production (signs internal event and cron calls)'],
    [config.paymentsSandbox, 'PAYMENTS_SANDBOX: must be false in production (sandbox payments take no money)'],
  ];
  return refusals.filter(([refused]) => refused).map(([, why]) => why);
}

function isHttpUrl(s: string): boolean {
  return URL.canParse(s) && ['http:', 'https:'].includes(new URL(s).protocol);
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}

let current: Config | undefined;

/** The process's configuration, parsed from `process.env` on first use. */
export function config(): Config {
  current ??= loadConfig(process.env);
  return current;
}

/**
 * {@link config} for process entry points: a bad configuration ends the process with exit code 1 and the list of
 * problems on stderr, not a stack trace.
 */
export function configOrExit(): Config {
  try {
    return config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/**
 * The base URL of function `name` (no trailing slash), for the rare synchronous call between functions.
 *
 * @example
 * await fetch(`${functionUrl('identity')}/v1/auth/mfa/step-up`, { method: 'POST', … });
 */
export function functionUrl(name: string, cfg: Config = config()): string {
  return cfg.functionUrlTemplate.replaceAll('{function}', name).replace(/\/+$/, '');
}
