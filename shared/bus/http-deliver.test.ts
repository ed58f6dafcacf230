import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as v from 'valibot';
import { defineEvent, type CloudEvent } from '../../events/envelope.ts';
import { uniqueName } from '../../test/support/names.ts';
import { config } from '../config/index.ts';
import { closeDb } from '../db/index.ts';
import { defineFunction } from '../http/function.ts';
import { serveApp } from '../http/serve.ts';
import { on } from './consumer.ts';
import { httpDeliver } from './http-deliver.ts';

const NotedV1 = defineEvent('test.note.taken.v1', 'A note, over HTTP.', v.object({ text: v.string() }));

const event = (data: unknown): CloudEvent => ({
  specversion: '1.0',
  id: crypto.randomUUID(),
  source: 'test',
  type: NotedV1.type,
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  data,
});

describe('delivery over HTTP (the production bus worker)', () => {
  after(() => closeDb());

  it('posts a signed binary CloudEvent to the function, which applies it once; bad events are permanent failures', async () => {
    const name = uniqueName('http');
    const seen: string[] = [];
    const fn = defineFunction({ name, events: [on(NotedV1, async (_tx, e) => void seen.push(e.data.text))] });
    const server = await serveApp(fn.app.fetch, { port: 0, hostname: '127.0.0.1', name });
    try {
      const deliver = httpDeliver(() => `http://127.0.0.1:${server.port}`, config().platformSecret);
      const good = event({ text: 'hello' });
      assert.deepEqual(await deliver(name, good), { ok: true });
      assert.deepEqual(await deliver(name, good), { ok: true }, 'a redelivery is answered, not applied');
      assert.deepEqual(seen, ['hello']);
      const bad = await deliver(name, event({ text: 42 }));
      assert.equal(bad.ok, false);
      assert.ok(!bad.ok && bad.permanent, 'invalid data is not worth retrying');
      const forged = await httpDeliver(() => `http://127.0.0.1:${server.port}`, 'x'.repeat(40))(name, event({ text: 'x' }));
      assert.ok(!forged.ok && forged.error.startsWith('HTTP 401'), 'a token signed with another secret is refused');
    } finally {
      await server.shutdown();
    }
  });
});
