/**
 * Where the real services live on a developer or CI machine, as the environment of the "services" test profile.
 * `.ci/run` starts whatever of these is not already running; `npm test` runs every suite once on the embedded
 * defaults and once with this environment when the services answer.
 */
export const servicesEnv = {
  // PgBouncer in transaction mode in front of the machine's PostgreSQL (database "consilium").
  DATABASE_URL: 'postgres://consilium:consilium@127.0.0.1:6432/consilium',
  NATS_URL: 'nats://127.0.0.1:4222',
  // s3rver, the S3-protocol server used in tests.
  S3_ENDPOINT: 'http://127.0.0.1:4568',
  S3_BUCKET: 'consilium',
  S3_REGION: 'us-east-1',
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  // The Upstash REST bridge in front of the machine's Redis (production uses serverless-redis-http).
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:8079',
  UPSTASH_REDIS_REST_TOKEN: 'consilium-test-token',
} as const;

/** The machine's PostgreSQL itself, bypassing the pooler: for creating the role and database PgBouncer serves. */
export const directPostgresUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = 'redis://127.0.0.1:6379';
