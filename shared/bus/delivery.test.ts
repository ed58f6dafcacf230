import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RETRY_AFTER_MS, MIN_RETRY_AFTER_MS, outcomeOf } from './delivery.ts';

test('a consumer answer reads as Knative reads it: 2xx done, 408/409/429/5xx retried, other 4xx permanent', () => {
  assert.deepEqual(outcomeOf(202, ''), { ok: true });
  for (const status of [408, 409, 429, 500, 502, 503]) assert.deepEqual(outcomeOf(status, 'x'), { ok: false, permanent: false, error: `HTTP ${status}: x` });
  for (const status of [400, 401, 404, 422]) assert.deepEqual(outcomeOf(status, 'bad'), { ok: false, permanent: true, error: `HTTP ${status}: bad` });
});

test('429 and 503 with Retry-After say busy, in seconds or as a date, within bounds; other answers ignore the header', () => {
  const busy = (status: number, header: string | null) => {
    const outcome = outcomeOf(status, '', header);
    return outcome.ok ? undefined : outcome.retryAfterMs;
  };
  assert.equal(busy(503, '2'), 2000);
  assert.equal(busy(429, '0'), MIN_RETRY_AFTER_MS, 'never asked again at once: a busy answer costs no attempt');
  const inFiveSeconds = busy(503, new Date(Date.now() + 5000).toUTCString())!;
  assert.ok(inFiveSeconds > 3000 && inFiveSeconds <= 5000, String(inFiveSeconds));
  assert.equal(busy(503, new Date(Date.now() - 60_000).toUTCString()), MIN_RETRY_AFTER_MS, 'a date gone by: soon');
  assert.equal(busy(503, '86400'), MAX_RETRY_AFTER_MS);
  for (const header of [null, '', 'soon', '-5']) assert.equal(busy(503, header), undefined, String(header));
  assert.equal(busy(500, '2'), undefined, 'a failure counts, whatever it asks');
  assert.equal(busy(502, '2'), undefined);
});
