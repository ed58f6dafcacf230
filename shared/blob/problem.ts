import type { Context } from 'hono';
import { problemResponse } from '../http/problem.ts';

/** The 4xx answers the blob routes give. */
export type ProblemStatus = 400 | 403 | 404 | 413 | 415;

const KINDS: Record<ProblemStatus, [slug: string, title: string]> = {
  400: ['bad-request', 'Bad Request'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not Found'],
  413: ['too-large', 'Content Too Large'],
  415: ['unsupported-media-type', 'Unsupported Media Type'],
};

/**
 * The blob routes' problem+json answers, in the platform's problem vocabulary.
 *
 * @example
 * return problem(c, 404, 'No blob at this URL');
 */
export function problem(c: Context, status: ProblemStatus, detail: string): Response {
  const [slug, title] = KINDS[status];
  return problemResponse(c, { type: `https://consilium.health/problems/${slug}`, title, status, detail });
}
