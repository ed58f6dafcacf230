import { authorize, type Action } from '../../shared/auth/policy.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import type { Sql, Tx } from '../../shared/db/index.ts';
import { problems } from '../../shared/http/problem.ts';
import { findCase, type CaseRow } from './queries.ts';

/**
 * The case `principal` may act on with `action`: found (locked with `forUpdate`) and checked against the one
 * policy — its owner, assigned professional and reviewer decide; an unknown case, or one the caller may not see,
 * is a 404.
 *
 * @example
 * const row = await caseFor(tx, principal, id, 'case:cancel', { forUpdate: true });
 */
export async function caseFor(sql: Sql | Tx, principal: Principal, id: string, action: Action, options: { forUpdate?: boolean } = {}): Promise<CaseRow> {
  const row = await findCase(sql, id, options);
  if (!row) throw problems.notFound();
  authorize(principal, action, { ownerId: row.ownerId, assignedProfessionalId: row.assignedProfessionalId, reviewerId: row.reviewerId });
  return row;
}
