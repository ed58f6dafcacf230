import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CircuitBreakers } from '../breaker.ts';
import { aiDefaults, type AiSettings } from '../config.ts';
import type { UsageRow } from '../queries.ts';
import { readExternally } from '../route.ts';
import { chatClient, ProviderError } from './index.ts';
import { anthropicAnswer, openAiAnswer, providerAt, providerServer, validOutput } from './testing.ts';

const request = { system: 'sys', user: 'text', maxTokens: 100, timeoutMs: 2000 };
const closers: (() => Promise<void>)[] = [];
after(async () => Promise.all(closers.map((c) => c())));
async function server(...args: Parameters<typeof providerServer>) {
  const s = await providerServer(...args);
  closers.push(s.close);
  return s;
}

test('OpenAI-compatible: POST /chat/completions with a Bearer key, JSON output requested; answer and tokens read', async () => {
  const s = await server(() => ({ json: openAiAnswer('{"ok":true}') }));
  const result = await chatClient(providerAt(s.url)).chat(request);
  assert.deepEqual(result, { text: '{"ok":true}', tokensIn: 1200, tokensOut: 300, model: 'gpt-test' });
  const [r] = s.requests;
  assert.equal(r!.path, '/v1/chat/completions');
  assert.equal(r!.headers.authorization, 'Bearer sk-test-key');
  assert.deepEqual(r!.body.messages, [{ role: 'system', content: 'sys' }, { role: 'user', content: 'text' }]);
  assert.deepEqual(r!.body.response_format, { type: 'json_object' });
  assert.equal(r!.body.max_tokens, 100);
});

test('Azure OpenAI: deployment path, api-version and api-key header', async () => {
  const s = await server(() => ({ json: openAiAnswer('{}') }));
  await chatClient(providerAt(s.url, { kind: 'azure-openai', baseUrl: s.url, model: 'triage-deploy', apiVersion: '2024-10-21' })).chat(request);
  assert.equal(s.requests[0]!.path, '/openai/deployments/triage-deploy/chat/completions?api-version=2024-10-21');
  assert.equal(s.requests[0]!.headers['api-key'], 'sk-test-key');
  assert.equal(s.requests[0]!.headers.authorization, undefined);
});

test('Anthropic Messages: POST /v1/messages with x-api-key and anthropic-version, system apart', async () => {
  const s = await server(() => ({ json: anthropicAnswer('{"a":1}') }));
  const result = await chatClient(providerAt(s.url, { kind: 'anthropic', baseUrl: s.url, model: 'claude-test' })).chat(request);
  assert.deepEqual(result, { text: '{"a":1}', tokensIn: 1000, tokensOut: 200, model: 'claude-test' });
  const [r] = s.requests;
  assert.equal(r!.path, '/v1/messages');
  assert.equal(r!.headers['x-api-key'], 'sk-test-key');
  assert.equal(r!.headers['anthropic-version'], '2023-06-01');
  assert.equal(r!.body.system, 'sys');
  assert.deepEqual(r!.body.messages, [{ role: 'user', content: 'text' }]);
  assert.equal(r!.body.max_tokens, 100);
});

test('429 with retry-after is honoured once, then answered; a second 429 is rate-limited', async () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => void waits.push(ms);
  const once = await server((_, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '2' }, json: { error: 'slow down' } } : { json: anthropicAnswer('{}') }));
  await chatClient(providerAt(once.url, { kind: 'anthropic', baseUrl: once.url }), { sleep }).chat(request);
  assert.deepEqual(waits, [2000]);
  assert.equal(once.requests.length, 2);

  const always = await server(() => ({ status: 429, headers: { 'retry-after': '1' } }));
  await assert.rejects(chatClient(providerAt(always.url), { sleep }).chat(request), (e: ProviderError) => e.outcome === 'rate-limited');
  assert.equal(always.requests.length, 2, 'retried once only');
});

test('500 is a server error; an answer slower than the timeout is a timeout', async () => {
  const failing = await server(() => ({ status: 500, json: { error: 'boom' } }));
  await assert.rejects(chatClient(providerAt(failing.url)).chat(request), (e: ProviderError) => e.outcome === 'server-error');
  const slow = await server(() => ({ delayMs: 1500, json: openAiAnswer('{}') }));
  const started = Date.now();
  await assert.rejects(chatClient(providerAt(slow.url)).chat({ ...request, timeoutMs: 200 }), (e: ProviderError) => e.outcome === 'timeout');
  assert.ok(Date.now() - started < 1400, 'gave up at the timeout, not when the answer came');
});

function routerDeps(settings: AiSettings, usage: UsageRow[]) {
  return {
    settings,
    breakers: new CircuitBreakers(settings.breaker),
    client: (p: Parameters<typeof chatClient>[0]) => chatClient(p, { sleep: async () => {} }),
    overBudget: async () => new Set<string>(),
    record: async (row: UsageRow) => void usage.push(row),
    now: () => new Date(),
  };
}
const input = { caseId: 'case-1', specialty: null, urgency: 'standard' as const, scrubbedTexts: ['[NAME] has chest pain.'], hintCodes: ['R07.9'] };

test('invalid JSON output is retried once with the problems, then the next provider in the chain answers', async () => {
  const invalid = await server(() => ({ json: openAiAnswer('this is not JSON') }));
  const good = await server(() => ({ json: anthropicAnswer(validOutput()) }));
  const settings = { ...aiDefaults, providers: [providerAt(invalid.url, { name: 'bad' }), providerAt(good.url, { name: 'good', kind: 'anthropic', baseUrl: good.url })] };
  const usage: UsageRow[] = [];
  const result = await readExternally(input, routerDeps(settings, usage));
  assert.equal(invalid.requests.length, 2, 'one retry on invalid output');
  assert.match(invalid.requests[1]!.body.messages[1].content, /previous answer was not valid/);
  assert.equal(result.primary?.provider, 'good');
  assert.equal(result.primary?.output.specialty, 'cardiology');
  assert.deepEqual(result.attempts, [{ provider: 'bad', outcome: 'invalid-output' }, { provider: 'good', outcome: 'ok' }]);
  assert.deepEqual(usage.map((u) => [u.provider, u.outcome, u.costMicros]), [
    ['bad', 'invalid-output', 360], // 1200 in × 150 + 300 out × 600, per 1000
    ['bad', 'invalid-output', 360],
    ['good', 'ok', 270],
  ]);
});

test('a schema-invalid answer (unknown specialty) counts as invalid; every provider failing leaves no primary', async () => {
  const wrong = await server(() => ({ json: openAiAnswer(validOutput({ specialty: 'astrology' })) }));
  const down = await server(() => ({ status: 503 }));
  const settings = { ...aiDefaults, providers: [providerAt(wrong.url, { name: 'wrong' }), providerAt(down.url, { name: 'down' })] };
  const result = await readExternally(input, routerDeps(settings, []));
  assert.equal(result.primary, undefined);
  assert.deepEqual(result.attempts.map((a) => a.outcome), ['invalid-output', 'server-error']);
});

test('urgent cases get a second read from another provider; an open breaker takes a provider out of the chain', async () => {
  const a = await server(() => ({ json: openAiAnswer(validOutput()) }));
  const b = await server(() => ({ json: openAiAnswer(validOutput({ specialty: 'pulmonology' })) }));
  const settings = { ...aiDefaults, providers: [providerAt(a.url, { name: 'a' }), providerAt(b.url, { name: 'b' })] };
  const deps = routerDeps(settings, []);
  const urgent = await readExternally({ ...input, urgency: 'urgent' }, deps);
  assert.equal(urgent.primary?.provider, 'a');
  assert.equal(urgent.second?.provider, 'b');
  const standard = await readExternally(input, deps);
  assert.equal(standard.second, undefined);
  for (let i = 0; i < settings.breaker.failureThreshold; i++) deps.breakers.failed('a');
  const afterOpen = await readExternally(input, deps);
  assert.equal(afterOpen.primary?.provider, 'b');
  assert.equal(a.requests.length, 2, 'nothing sent to a provider whose breaker is open');
});
