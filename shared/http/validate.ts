import type { MiddlewareHandler, ValidationTargets } from 'hono';
import { validator } from 'hono/validator';
import * as v from 'valibot';
import { problems, type FieldError } from './problem.ts';

type Target = 'json' | 'query' | 'param' | 'header';

/** Metadata the OpenAPI generator reads back from a route's middleware. */
export const schemaOf = Symbol('consilium.schema');
export interface SchemaNote {
  target: Target;
  schema: v.GenericSchema;
}

/**
 * Validates one part of the request with a valibot schema; a failure answers 400 problem+json whose `errors`
 * point at each bad field (`/questions/0`), so bad input never reaches a handler or the database.
 *
 * @example
 * app.post('/v1/cases', validate('json', CreateCase), (c) => c.json(c.req.valid('json')));
 */
export function validate<T extends Target, S extends v.GenericSchema>(target: T, schema: S) {
  const middleware = validator(target as keyof ValidationTargets, async (value, c) => {
    if (target === 'json' && !(c.req.header('content-type') ?? '').includes('json')) {
      throw problems.unsupportedMediaType('Send the body as application/json.');
    }
    const result = await v.safeParseAsync(schema, value);
    if (!result.success) throw problems.validation(toFieldErrors(result.issues));
    return result.output as v.InferOutput<S>;
  });
  Object.assign(middleware, { [schemaOf]: { target, schema } satisfies SchemaNote });
  return middleware as MiddlewareHandler<
    any,
    string,
    { in: { [K in T]: v.InferInput<S> }; out: { [K in T]: v.InferOutput<S> } }
  >;
}

/** Turns valibot issues into RFC 6901 pointers (`/a/0/b`); issues above any field point at the root (``). */
export function toFieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({
    pointer: (issue.path ?? [])
      .map((item) => `/${String(item.key).replaceAll('~', '~0').replaceAll('/', '~1')}`)
      .join(''),
    message: issue.message,
  }));
}
