import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeDb } from '../../shared/db/index.ts';
import { createAi } from './app.ts';

after(closeDb);

test('a revision whose AI_SETTINGS do not parse is never ready; one whose settings parse is', async () => {
  const saved = process.env.AI_SETTINGS;
  try {
    // A provider without its API key: parsed at first use, which /readyz makes happen before any traffic.
    process.env.AI_SETTINGS = JSON.stringify({ providers: [{ name: 'x', kind: 'openai', baseUrl: 'http://127.0.0.1:9', model: 'm', priceMicrosPer1kInput: 1, priceMicrosPer1kOutput: 1 }] });
    const broken = await createAi().app.request('/readyz');
    assert.equal(broken.status, 503);
    assert.deepEqual(((await broken.json()) as { failing: string[] }).failing, ['ai-settings']);

    delete process.env.AI_SETTINGS;
    const fine = await createAi().app.request('/readyz');
    assert.equal(fine.status, 200, await fine.clone().text());
  } finally {
    if (saved === undefined) delete process.env.AI_SETTINGS;
    else process.env.AI_SETTINGS = saved;
  }
});
