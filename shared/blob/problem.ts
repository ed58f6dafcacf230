import type { Context } from 'hono';

/** The 4xx answers the blob routes give. */
export type ProblemStatus = 400 | 403 | 404 | 413 | 415;

const TITLES: Record<ProblemStatus, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
};

/**
 * An RFC 9457 `application/problem+json` response. Local stand-in until shared/http provides the shared one.
 *
 * @example
 * return problem(c, 404, 'No blob at this URL');
 */
export function problem(c: Context, status: ProblemStatus, detail: string): Response {
  const body = { type: 'about:blank', title: TITLES[status], status, detail };
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' });
}
