import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { servicesEnv } from './services/env.ts';
import { spawnServer } from './support/spawn.ts';

const run = promisify(execFile);

/** The environment of a fresh machine: embedded defaults only, in a data directory of the test's own. */
async function embeddedEnv() {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: await mkdtemp(join(tmpdir(), 'consilium-ops-')), LOG_LEVEL: 'info' };
  for (const name of Object.keys(servicesEnv)) delete env[name];
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
    const { child: platform, port } = await spawnServer(['--import', 'tsx', 'triggers/local/main.ts'], env);
    try {
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
