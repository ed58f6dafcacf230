import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreakers } from './breaker.ts';

test('the breaker opens after N consecutive failures and recovers through half-open (controlled clock)', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const breakers = new CircuitBreakers({ failureThreshold: 3, cooldownMs: 60_000, now: () => now });
  breakers.failed('p');
  breakers.failed('p');
  assert.equal(breakers.state('p'), 'closed');
  assert.ok(breakers.allows('p'));
  breakers.failed('p');
  assert.equal(breakers.state('p'), 'open');
  assert.equal(breakers.allows('p'), false);
  assert.equal(breakers.state('other'), 'closed', 'one breaker per provider');

  now = new Date(now.getTime() + 59_999);
  assert.equal(breakers.allows('p'), false, 'still cooling down');
  now = new Date(now.getTime() + 1);
  assert.equal(breakers.state('p'), 'half-open');
  assert.equal(breakers.allows('p'), true, 'one trial call');
  assert.equal(breakers.allows('p'), false, 'only one trial at a time');
  breakers.failed('p');
  assert.equal(breakers.state('p'), 'open', 'a failed trial opens it again');

  now = new Date(now.getTime() + 60_000);
  assert.ok(breakers.allows('p'));
  breakers.succeeded('p');
  assert.equal(breakers.state('p'), 'closed');
  breakers.failed('p');
  assert.equal(breakers.state('p'), 'closed', 'the failure count restarted');
});

test('a success between failures resets the count', () => {
  const breakers = new CircuitBreakers({ failureThreshold: 2, cooldownMs: 1000 });
  breakers.failed('p');
  breakers.succeeded('p');
  breakers.failed('p');
  assert.equal(breakers.state('p'), 'closed');
  breakers.failed('p');
  assert.equal(breakers.state('p'), 'open');
});
