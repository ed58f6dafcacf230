import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const run = promisify(execFile);

describe('starting in production', () => {
  it('refuses the embedded defaults, naming every missing setting, before touching anything', async () => {
    const env = { PATH: process.env.PATH, NODE_ENV: 'production', PAYMENTS_SANDBOX: 'true', PORT: '0' };
    await assert.rejects(run(process.execPath, ['--import', 'tsx', 'triggers/local/main.ts'], { env }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      for (const name of ['DATABASE_URL', 'NATS_URL', 'S3_ENDPOINT', 'UPSTASH_REDIS_REST_URL', 'PLATFORM_SECRET', 'PAYMENTS_SANDBOX']) {
        assert.match(error.stderr, new RegExp(`${name}.*required|${name}: must be false`));
      }
      assert.doesNotMatch(error.stderr, /\n\s+at /, 'a list of problems, not a stack trace');
      return true;
    });
  });
});
