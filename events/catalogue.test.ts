import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { catalogue, defineEvent, EVENT_TYPE, fromBinaryHttp, toBinaryHttp, type CloudEvent } from './index.ts';

describe('event catalogue', () => {
  it('names every type [domain.]entity.past-verb.vN, once', () => {
    assert.ok(catalogue.size > 0);
    const definitions = [...catalogue.values()];
    assert.equal(new Set(definitions.map((d) => d.type)).size, definitions.length, 'no type defined twice');
    for (const [type, definition] of catalogue) {
      assert.match(type, EVENT_TYPE);
      assert.equal(definition.type, type);
      assert.ok(definition.description.length > 10, `${type} needs a description`);
    }
  });

  it('refuses a badly named type', () => {
    assert.throws(() => defineEvent('CaseSubmitted', 'x', v.object({})), /past-verb.vN/);
    assert.throws(() => defineEvent('case.submitted', 'x', v.object({})), /past-verb.vN/);
    assert.throws(() => defineEvent('a.b.c.d.v1', 'x', v.object({})), /past-verb.vN/);
  });
});

describe('binary-mode CloudEvents over HTTP', () => {
  const event: CloudEvent = {
    specversion: '1.0',
    id: '6f1c1f5e-4c1e-4b7a-9a55-0d6c2b1f0a11',
    source: 'cases',
    type: 'case.submitted.v1',
    time: '2026-12-04T10:00:00.000Z',
    subject: 'case-1',
    datacontenttype: 'application/json',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data: { caseId: 'case-1', nested: { snake_key: 1 } },
  };

  it('round-trips every attribute and the data', () => {
    const { headers, body } = toBinaryHttp(event);
    assert.equal(headers['ce-type'], 'case.submitted.v1');
    assert.equal(headers.traceparent, event.traceparent);
    const decoded = fromBinaryHttp((name) => headers[name], body);
    assert.deepEqual(decoded, { event });
  });

  it('points at what is missing or wrong', () => {
    const { headers, body } = toBinaryHttp(event);
    const { 'ce-id': _, ...withoutId } = headers;
    const decoded = fromBinaryHttp((name) => ({ ...withoutId, 'ce-type': 'Nope' })[name], body);
    assert.ok('issues' in decoded);
    const pointers = decoded.issues.map((i) => i.pointer);
    assert.ok(pointers.includes('/headers/id'));
    assert.ok(pointers.includes('/headers/type'));
  });

  it('refuses a body that is not JSON', () => {
    const { headers } = toBinaryHttp(event);
    const decoded = fromBinaryHttp((name) => headers[name], '{oops');
    assert.ok('issues' in decoded);
  });
});
