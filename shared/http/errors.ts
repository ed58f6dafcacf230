import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { currentTraceId, log } from '../telemetry/index.ts';
import { HttpProblem, problemResponse } from './problem.ts';

/**
 * The one error handler: known problems are answered as they are; Hono's own HTTP errors (malformed JSON, body
 * limits) become problem documents; anything else is logged with the trace id and answered with a generic 500
 * that leaks nothing.
 */
export const onError: ErrorHandler = (error, c) => {
  if (error instanceof HttpProblem) return problemResponse(c, { ...error.problem, instance: c.req.path }, error.headers);
  if (error instanceof HTTPException && error.status < 500) {
    const detail = error.status === 400 ? 'The request body is not valid JSON.' : error.message;
    return problemResponse(c, {
      type: `https://consilium.health/problems/${error.status === 413 ? 'too-large' : 'bad-request'}`,
      title: error.status === 413 ? 'Content Too Large' : 'Bad Request',
      status: error.status,
      detail,
      instance: c.req.path,
      ...(error.status === 400 ? { errors: [{ pointer: '', message: detail }] } : {}),
    });
  }
  const traceId = currentTraceId();
  log.error('unhandled error', {
    method: c.req.method,
    route: c.req.routePath,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  return problemResponse(c, {
    type: 'https://consilium.health/problems/internal',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side.',
    ...(traceId ? { traceId } : {}),
  });
};

/** Unknown routes are problems too. */
export const onNotFound: NotFoundHandler = (c: Context) =>
  problemResponse(c, {
    type: 'https://consilium.health/problems/not-found',
    title: 'Not Found',
    status: 404,
    detail: `No route for ${c.req.method} ${c.req.path}.`,
  });
