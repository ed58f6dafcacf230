import { toJsonSchema } from '@valibot/to-json-schema';
import { Hono, type MiddlewareHandler } from 'hono';
import { html, raw } from 'hono/html';
import type * as v from 'valibot';
import { schemaOf, type SchemaNote } from './validate.ts';

/** What a route says about itself beyond its input schemas. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tags?: string[];
  /** Status code → description; `application/problem+json` errors are documented for every route. */
  responses?: Record<number, string>;
  /** Who may call it (`patient`, `ops`, `anyone`…), shown in the reference page. */
  audience?: string;
}

const docOf = Symbol('consilium.doc');

/**
 * Documents a route for the generated OpenAPI document; passes the request straight on.
 *
 * @example
 * app.post('/v1/cases', describe({ summary: 'Open a case', tags: ['cases'] }), validate('json', CreateCase), handler);
 */
export function describe(doc: RouteDoc): MiddlewareHandler {
  const middleware: MiddlewareHandler = async function documented(_c, next) {
    await next();
  };
  return Object.assign(middleware, { [docOf]: doc });
}

type Operation = Record<string, unknown>;

/**
 * Builds an OpenAPI 3.1 document from the routes of the given apps: paths, documented summaries, and request
 * schemas converted from the same valibot schemas that validate them, so the document cannot drift from the code.
 * Internal endpoints (`/_events`, `/_cron`) are left out.
 */
export function buildOpenApi(apps: readonly Hono[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const app of apps) {
    const handlersByRoute = new Map<string, unknown[]>();
    for (const route of app.routes) {
      if (route.path.startsWith('/_') || route.method === 'ALL') continue;
      const key = `${route.method} ${route.path}`;
      handlersByRoute.set(key, [...(handlersByRoute.get(key) ?? []), route.handler]);
    }
    for (const [key, handlers] of handlersByRoute) {
      const [method, path] = key.split(' ') as [string, string];
      const openApiPath = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      (paths[openApiPath] ??= {})[method.toLowerCase()] = operation(path, handlers);
    }
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details; `errors` points at each invalid field (RFC 6901).',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { pointer: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}

function operation(path: string, handlers: unknown[]): Operation {
  const notes = handlers.flatMap((h) => ((h as Record<symbol, SchemaNote>)[schemaOf] ? [(h as Record<symbol, SchemaNote>)[schemaOf]!] : []));
  const doc = handlers.map((h) => (h as Record<symbol, RouteDoc>)[docOf]).find(Boolean);
  const parameters = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  for (const note of notes.filter((n) => n.target === 'query' || n.target === 'header')) {
    const schema = jsonSchema(note.schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      parameters.push({ name, in: note.target, required: schema.required?.includes(name) ?? false, schema: property as never });
    }
  }
  const body = notes.find((n) => n.target === 'json');
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(doc?.responses ?? { 200: 'OK' })) responses[status] = { description };
  responses['4XX'] = { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  return {
    ...(doc ? { summary: doc.summary, tags: doc.tags, description: doc.description, 'x-audience': doc.audience } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(body.schema) } } } } : {}),
    responses,
  };
}

function jsonSchema(schema: v.GenericSchema): Record<string, unknown> {
  const { $schema: _, ...rest } = toJsonSchema(schema, { errorMode: 'ignore' }) as Record<string, unknown>;
  return rest;
}

/**
 * Serves `/openapi.json` and a readable reference page at `/docs` (plain HTML, no scripts, works offline).
 */
export function openApiRoutes(document: () => Record<string, unknown>): Hono {
  const app = new Hono();
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => {
    const doc = document() as { info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };
    const rows = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, op]) => html`<section>
          <h2><code>${method.toUpperCase()} ${path}</code></h2>
          <p>${String(op.summary ?? '')}${op['x-audience'] ? html` — <em>${String(op['x-audience'])}</em>` : ''}</p>
          ${op.requestBody ? html`<details><summary>Request body</summary><pre>${JSON.stringify((op.requestBody as { content: Record<string, { schema: unknown }> }).content['application/json']!.schema, null, 2)}</pre></details>` : ''}
        </section>`,
      ),
    );
    return c.html(html`<!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>${doc.info.title} API</title>
      <style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}h2{font-size:1rem;margin:1.5rem 0 .25rem}pre{background:#f5f5f5;padding:.75rem;overflow:auto}</style>
      </head><body><h1>${doc.info.title} <small>${doc.info.version}</small></h1>
      <p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code> (RFC 9457).</p>
      ${raw(rows.join(''))}</body></html>`);
  });
  return app;
}
