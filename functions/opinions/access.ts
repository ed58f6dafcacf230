import { authorize, type Action } from '../../shared/auth/policy.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import type { Sql, Tx } from '../../shared/db/index.ts';
import { problems } from '../../shared/http/problem.ts';
import { findCaseView, type CaseView } from './view-queries.ts';

const CASE_ID = /^[A-Za-z0-9-]{1,100}$/;

/**
 * A case id from the path; anything that cannot be one is a case that does not exist (404, never a 500).
 *
 * @example
 * const id = caseIdParam(c.req.param('id'));
 */
export function caseIdParam(id: string | undefined): string {
  if (!id || !CASE_ID.test(id)) throw problems.notFound();
  return id.toLowerCase();
}

/**
 * The facts the policy decides on: the case's owner, its author (the assigned professional) and its reviewer.
 *
 * @example
 * authorize(principal, 'opinion:read', resourceOf(view));
 */
export function resourceOf(view: CaseView) {
  return { ownerId: view.ownerId, assignedProfessionalId: view.authorId, reviewerId: view.reviewerId };
}

/**
 * The case view, after `principal` was allowed `action` on it: 404 for a case this function never heard of and for
 * one the caller may not see, 403 for a visible case they may not act on.
 *
 * @example
 * const view = await caseFor(tx, caseId, principal, 'opinion:write', { forUpdate: true });
 */
export async function caseFor(sql: Sql | Tx, caseId: string, principal: Principal, action: Action, options: { forUpdate?: boolean } = {}): Promise<CaseView> {
  const view = await findCaseView(sql, caseId, options);
  if (!view) throw problems.notFound();
  authorize(principal, action, resourceOf(view));
  return view;
}
