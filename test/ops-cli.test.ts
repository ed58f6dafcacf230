import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const run = promisify(execFile);

/** The environment of a fresh machine: embedded defaults only, in a data directory of the test's own. */
async function embeddedEnv() {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: await mkdtemp(join(tmpdir(), 'consilium-ops-')), LOG_LEVEL: 'info' };
  for (const name of ['DATABASE_URL', 'NATS_URL', 'S3_ENDPOINT', 'UPSTASH_REDIS_REST_URL']) delete env[name];
  return env;
}

const ops = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'shared/ops/cli.ts', ...args], { env });

describe('the ops CLI', () => {
  it('works on the data directory when the platform is not running', async () => {
    const env = await embeddedEnv();
    assert.match((await ops(env, 'dead-letters')).stdout, /no dead letters/);
    await assert.rejects(ops(env, 'replay', '999999'), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /no open dead letter 999999/);
      return true;
    });
  });

  it('goes through the running platform instead of opening its data directory twice', async () => {
    const env = await embeddedEnv();
    const platform = spawn(process.execPath, ['--import', 'tsx', 'triggers/local/main.ts'], {
      env: { ...env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      const port = await new Promise<number>((resolve, reject) => {
        platform.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /"msg":"listening".*?"port":(\d+)/.exec(output);
          if (match) resolve(Number(match[1]));
        });
        platform.once('exit', (code) => reject(new Error(`platform exited with ${code}: ${output}`)));
      });
      assert.match((await ops(env, 'dead-letters')).stdout, /no dead letters/);
      assert.match((await ops(env, 'migrate')).stdout, /0 migration\(s\) applied/);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200, 'the platform still serves after the CLI used its database');
    } finally {
      platform.kill('SIGTERM');
      const [code] = await once(platform, 'exit');
      assert.equal(code, 0);
    }
    // The platform released the directory on shutdown: the CLI now opens it itself, with everything still there.
    assert.match((await ops(env, 'migrate')).stdout, /0 migration\(s\) applied/);
  });
});
