import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overBudget } from './budgets.ts';
import { aiDefaults, aiSettingsFromEnv, costMicros } from './config.ts';
import { providerAt } from './providers/testing.ts';

const settings = {
  ...aiDefaults,
  monthlyBudgetMicros: 10_000,
  providers: [providerAt('http://a', { name: 'a', monthlyBudgetMicros: 1000 }), providerAt('http://b', { name: 'b' })],
};
const spend = (a: number, b: number) => ({ month: '2031-01', overall: a + b, byProvider: new Map([['a', a], ['b', b]]) });

test('a provider at 100 % of its budget is skipped; the overall budget at 100 % rules out every provider', () => {
  assert.deepEqual([...(overBudget(settings, spend(999, 0)) as Set<string>)], []);
  assert.deepEqual([...(overBudget(settings, spend(1000, 0)) as Set<string>)], ['a']);
  assert.equal(overBudget(settings, spend(1000, 9000)), 'all');
  assert.deepEqual([...(overBudget({ ...settings, monthlyBudgetMicros: undefined }, spend(0, 1e9)) as Set<string>)], []);
});

test('cost is integer micro-units, rounded up', () => {
  assert.equal(costMicros({ priceMicrosPer1kInput: 150, priceMicrosPer1kOutput: 600 }, 2000, 500), 600);
  assert.equal(costMicros({ priceMicrosPer1kInput: 1, priceMicrosPer1kOutput: 1 }, 1, 0), 1);
  assert.equal(costMicros({ priceMicrosPer1kInput: 0, priceMicrosPer1kOutput: 0 }, 5000, 5000), 0);
});

test('settings from AI_SETTINGS: keys from the variable named, built-in only when unset', () => {
  assert.deepEqual(aiSettingsFromEnv({}).providers, []);
  const json = JSON.stringify({
    providers: [{ name: 'vllm', kind: 'openai', baseUrl: 'http://vllm:8000/v1', model: 'llama', apiKeyEnv: 'VLLM_KEY', priceMicrosPer1kInput: 0, priceMicrosPer1kOutput: 0 }],
    monthlyBudgetMicros: 5_000_000,
  });
  const parsed = aiSettingsFromEnv({ AI_SETTINGS: json, VLLM_KEY: 'k' });
  assert.equal(parsed.providers[0]!.apiKey, 'k');
  assert.equal(parsed.monthlyBudgetMicros, 5_000_000);
  assert.throws(() => aiSettingsFromEnv({ AI_SETTINGS: json }), /no API key/);
  assert.throws(() => aiSettingsFromEnv({ AI_SETTINGS: '{"providers":[{"name":"x"}]}' }));
});
