import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** One field that failed validation: an RFC 6901 JSON pointer into the request part, and why. */
export interface FieldError {
  pointer: string;
  message: string;
}

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://consilium.health/problems/';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * An error a handler throws to answer with a problem document; the shared error handler renders it.
 *
 * @example
 * throw new HttpProblem(409, 'illegal-transition', { detail: 'A cancelled case cannot be submitted.' });
 */
export class HttpProblem extends Error {
  readonly problem: Problem;
  constructor(
    readonly status: ContentfulStatusCode,
    slug: string,
    fields: { title?: string; detail?: string; errors?: FieldError[]; headers?: Record<string, string>; [extension: string]: unknown } = {},
  ) {
    const { headers, title, detail, ...rest } = fields;
    super(detail ?? slug);
    this.name = 'HttpProblem';
    this.headers = (headers as Record<string, string> | undefined) ?? {};
    this.problem = { type: `${TYPE_BASE}${slug}`, title: title ?? titles[status] ?? 'Error', status, ...(detail ? { detail } : {}), ...rest };
  }
  readonly headers: Record<string, string>;
}

/** Answers `problem` as `application/problem+json`. */
export function problemResponse(c: Context, problem: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    ...headers,
    'content-type': 'application/problem+json',
  });
}

/** Shorthand for the common problems; `slug` becomes the last segment of `type`. */
export const problems = {
  validation: (errors: FieldError[], detail = 'The request is not valid.') =>
    new HttpProblem(400, 'validation', { detail, errors }),
  unauthorized: (detail = 'Authentication is required.') => new HttpProblem(401, 'unauthorized', { detail }),
  forbidden: (detail = 'You may not do this.') => new HttpProblem(403, 'forbidden', { detail }),
  notFound: (detail = 'Nothing is here.') => new HttpProblem(404, 'not-found', { detail }),
  conflict: (slug: string, detail: string) => new HttpProblem(409, slug, { detail }),
  tooLarge: (detail: string) => new HttpProblem(413, 'too-large', { detail }),
  unsupportedMediaType: (detail: string) => new HttpProblem(415, 'unsupported-media-type', { detail }),
  tooManyRequests: (retryAfterSeconds: number) =>
    new HttpProblem(429, 'rate-limited', {
      detail: `Too many requests; try again in ${retryAfterSeconds} s.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
};
