import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import * as v from 'valibot';
import { createApp } from './app.ts';
import { buildOpenApi, describe as describeRoute, openApiRoutes } from './openapi.ts';
import { problems } from './problem.ts';
import { validate } from './validate.ts';

const CreateThing = v.object({
  title: v.pipe(v.string(), v.minLength(1, 'title is required')),
  questions: v.pipe(v.array(v.pipe(v.string(), v.minLength(3, 'ask a real question'))), v.minLength(1), v.maxLength(10)),
});

function thingsApp(ready: { name: string; check(): Promise<void> }[] = []) {
  const app = createApp({ name: 'things', ready });
  app.post('/v1/things', describeRoute({ summary: 'Create a thing', tags: ['things'] }), validate('json', CreateThing), (c) =>
    c.json({ created: c.req.valid('json').title }, 201),
  );
  app.get('/v1/things/:id', (c) => {
    if (c.req.param('id') === 'teapot') throw new Error('database password is hunter2');
    throw problems.notFound();
  });
  return app;
}

const post = (app: Hono, body: string, type = 'application/json') =>
  app.request('/v1/things', { method: 'POST', headers: { 'content-type': type }, body });

describe('the shared HTTP base', () => {
  it('accepts a valid body', async () => {
    const res = await post(thingsApp(), JSON.stringify({ title: 'x', questions: ['why so?'] }));
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { created: 'x' });
  });

  it('answers a body that breaks the schema with 400 problem+json pointing at each field', async () => {
    const res = await post(thingsApp(), JSON.stringify({ title: '', questions: ['ok?', 'no'] }));
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const body = (await res.json()) as { type: string; status: number; errors: { pointer: string; message: string }[] };
    assert.equal(body.status, 400);
    assert.match(body.type, /validation$/);
    assert.deepEqual(body.errors.map((e) => e.pointer).sort(), ['/questions/1', '/title']);
  });

  it('answers malformed JSON with 400 problem+json, not 500', async () => {
    const res = await post(thingsApp(), '{"title": ');
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const body = (await res.json()) as { errors: { pointer: string }[] };
    assert.equal(body.errors[0]?.pointer, '');
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await post(thingsApp(), 'title=x', 'application/x-www-form-urlencoded');
    assert.equal(res.status, 415);
  });

  it('refuses an oversized body with 413 problem+json before reading it', async () => {
    const res = await post(thingsApp(), JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024), questions: ['why so?'] }));
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await thingsApp().request('/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
  });

  it('answers an unexpected error with a generic 500 that leaks nothing', async () => {
    const res = await thingsApp().request('/v1/things/teapot');
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.doesNotMatch(text, /hunter2/);
    assert.match(text, /Something went wrong/);
  });

  it('gives every API response a request id, problems included', async () => {
    const ok = await post(thingsApp(), JSON.stringify({ title: 'x', questions: ['why so?'] }));
    assert.match(ok.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const problem = await thingsApp().request('/v1/things/nope');
    assert.ok(problem.headers.get('x-request-id'));
  });

  it('reports readiness from its checks', async () => {
    assert.equal((await thingsApp([{ name: 'db', check: async () => {} }]).request('/readyz')).status, 200);
    const res = await thingsApp([{ name: 'db', check: async () => Promise.reject(new Error('down')) }]).request('/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(((await res.json()) as { failing: string[] }).failing, ['db']);
  });
});

describe('the OpenAPI document', () => {
  it('is generated from the routes and their valibot schemas', async () => {
    const doc = buildOpenApi([thingsApp()], { title: 'Test', version: '1' }) as {
      openapi: string;
      paths: Record<string, Record<string, { summary?: string; requestBody?: { content: Record<string, { schema: { required: string[] } }> }; parameters?: { name: string }[] }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    const create = doc.paths['/v1/things']!.post!;
    assert.equal(create.summary, 'Create a thing');
    assert.deepEqual(create.requestBody!.content['application/json']!.schema.required.sort(), ['questions', 'title']);
    assert.deepEqual(doc.paths['/v1/things/{id}']!.get!.parameters!.map((p) => p.name), ['id']);
  });

  it('is served as JSON and as a readable page', async () => {
    const app = openApiRoutes(() => buildOpenApi([thingsApp()], { title: 'Test', version: '1' }));
    assert.equal((await app.request('/openapi.json')).status, 200);
    const page = await (await app.request('/docs')).text();
    assert.match(page, /POST \/v1\/things/);
    assert.match(page, /Create a thing/);
  });
});
