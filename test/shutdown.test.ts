import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { spawnServer } from './support/spawn.ts';

const startFixture = () => spawnServer(['--import', 'tsx', 'test/fixtures/slow-function.ts'], process.env);

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('graceful shutdown', () => {
  it('lets in-flight requests finish on SIGTERM, refuses new ones, and exits 0', async () => {
    const { child, port } = await startFixture();
    const exited = once(child, 'exit');
    const inFlight = get(port, '/v1/slow?ms=1500');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(get(port, '/healthz'), /ECONNREFUSED/, 'new connections are refused while draining');
    const finished = await inFlight;
    assert.equal(finished.status, 200);
    assert.deepEqual(JSON.parse(finished.body), { finished: true });
    const [code] = await exited;
    assert.equal(code, 0);
  });

  it('finishes a handler whose client went away before it closes the database and exits', async () => {
    const { child, port } = await startFixture();
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    const abandoned = request({ host: '127.0.0.1', port, path: '/v1/slow?ms=800', agent: false });
    abandoned.on('error', () => {});
    abandoned.end();
    await new Promise((r) => setTimeout(r, 200));
    abandoned.destroy();
    await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(output, /slow request finished/, 'the handler ran to its end before the process exited');
  });
});
