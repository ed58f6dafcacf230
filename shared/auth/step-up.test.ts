import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { listenLocal } from '../../test/support/listen.ts';
import { HttpProblem } from '../http/problem.ts';
import { confirmStepUp } from './step-up.ts';

describe('confirmStepUp', () => {
  const seen: { authorization?: string; body: string }[] = [];
  let answer = { status: 204, headers: {} as Record<string, string> };
  let identity: { url: string; close(): Promise<void> };
  before(async () => {
    identity = await listenLocal(
      createServer(async (req: IncomingMessage, res) => {
        let body = '';
        for await (const chunk of req) body += chunk;
        seen.push({ body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
        res.writeHead(req.url === '/v1/auth/mfa/step-up' && req.method === 'POST' ? answer.status : 404, answer.headers).end();
      }),
      0,
    );
  });
  after(() => identity.close());

  it("asks identity with the caller's own bearer and the code, and believes a 204", async () => {
    answer = { status: 204, headers: {} };
    assert.equal(await confirmStepUp('Bearer abc', '123456', { identityUrl: identity.url }), true);
    assert.deepEqual(seen.at(-1), { authorization: 'Bearer abc', body: JSON.stringify({ code: '123456' }) });
  });

  it('answers false for a wrong or spent code', async () => {
    for (const status of [401, 422]) {
      answer = { status, headers: {} };
      assert.equal(await confirmStepUp('Bearer abc', '000000', { identityUrl: identity.url }), false);
    }
  });

  it("passes identity's 429 on with its Retry-After, and makes anything else a 503", async () => {
    answer = { status: 429, headers: { 'retry-after': '17' } };
    await assert.rejects(confirmStepUp('Bearer abc', '1', { identityUrl: identity.url }), (e: unknown) => e instanceof HttpProblem && e.status === 429 && e.headers['retry-after'] === '17');
    answer = { status: 500, headers: {} };
    await assert.rejects(confirmStepUp('Bearer abc', '1', { identityUrl: identity.url }), (e: unknown) => e instanceof HttpProblem && e.status === 503);
    await assert.rejects(confirmStepUp('Bearer abc', '1', { identityUrl: 'http://127.0.0.1:1' }), (e: unknown) => e instanceof HttpProblem && e.status === 503);
  });
});
