import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import { createApp, MAX_JSON_BODY_BYTES } from './app.ts';
import { serveApp } from './serve.ts';
import { validate } from './validate.ts';

/** POSTs `chunks` to `path` over real HTTP/1.1: with Content-Length when `declare`, else chunked. */
function post(port: number, chunks: string[], declare: boolean): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/echo', method: 'POST', headers: { 'content-type': 'application/json', ...(declare ? { 'content-length': length } : {}) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      },
    );
    // The server may answer 413 and close before it has read everything we send.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const big = (bytes: number) => [JSON.stringify({ text: 'x'.repeat(bytes) })];

describe('the request body limit, over real HTTP', () => {
  let port = 0;
  let shutdown: () => Promise<void>;
  before(async () => {
    const app = createApp({ name: 'echo' });
    app.post('/v1/echo', validate('json', v.object({ text: v.string() })), (c) => c.json({ length: c.req.valid('json').text.length }));
    ({ port, shutdown } = await serveApp(app.fetch, { port: 0, hostname: '127.0.0.1', name: 'echo' }));
  });
  after(() => shutdown());

  it('reads a declared body under the limit', async () => {
    const res = await post(port, big(1000), true);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { length: 1000 });
  });

  it('refuses a declared body over the limit with 413 problem+json', async () => {
    const res = await post(port, big(MAX_JSON_BODY_BYTES), true);
    assert.equal(res.status, 413);
    assert.equal(res.type, 'application/problem+json');
  });

  it('reads a chunked body under the limit', async () => {
    const res = await post(port, ['{"text":"', 'abc', 'def"}'], false);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { length: 6 });
  });

  it('counts a chunked body while it streams and refuses it with 413 once it is over the limit', async () => {
    const chunk = 'y'.repeat(64 * 1024);
    const chunks = ['{"text":"', ...Array.from({ length: MAX_JSON_BODY_BYTES / chunk.length + 1 }, () => chunk), '"}'];
    const res = await post(port, chunks, false);
    assert.equal(res.status, 413);
    assert.equal(res.type, 'application/problem+json');
  });
});
