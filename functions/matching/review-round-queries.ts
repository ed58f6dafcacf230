import type { Tx } from '../../shared/db/index.ts';
import type { AssignmentRow } from './assignment-queries.ts';
import type { Urgency } from './config.ts';

/** Statements on review rounds: what matching knows of an opinion's rounds, and the reviewer's reopened assignment. */

export interface OpinionRounds {
  id: string;
  caseId: string;
  /** The latest review round submitted (submission n goes to review round n). */
  submissions: number;
  decidedRound: number;
  approved: boolean;
  reviewerId: string | null;
}

/**
 * Records a submission of review round `round`, and returns the opinion's rounds only when that moved the latest
 * round submitted forward: a repeated or older round changes nothing. Without `round` (an event from before
 * opinions sent it) the submission is counted instead, trusting the bus to apply each event once and in order.
 *
 * @example
 * const rounds = await recordSubmission(tx, { opinionId, caseId, round: 2 });
 */
export async function recordSubmission(tx: Tx, s: { opinionId: string; caseId: string; round: number | undefined }): Promise<OpinionRounds | undefined> {
  const [row] = await tx<OpinionRounds[]>`
    insert into matching.opinions (id, case_id, submissions) values (${s.opinionId}, ${s.caseId}, ${s.round ?? 1})
    on conflict (id) do update set
      submissions = ${s.round === undefined ? tx`matching.opinions.submissions + 1` : tx`excluded.submissions`}
      where ${s.round === undefined ? tx`true` : tx`matching.opinions.submissions < excluded.submissions`}
    returning *`;
  return row;
}

/**
 * Records a review decision of round `round`; a decision older than one already recorded changes nothing, and an
 * approval is final.
 *
 * @example
 * const rounds = await recordDecision(tx, { opinionId, caseId, reviewerId, round: 2, approved: false });
 */
export async function recordDecision(
  tx: Tx,
  d: { opinionId: string; caseId: string; reviewerId: string; round: number; approved: boolean },
): Promise<OpinionRounds> {
  const [row] = await tx<OpinionRounds[]>`
    insert into matching.opinions (id, case_id, decided_round, approved, reviewer_id)
    values (${d.opinionId}, ${d.caseId}, ${d.round}, ${d.approved}, ${d.reviewerId})
    on conflict (id) do update set
      decided_round = greatest(matching.opinions.decided_round, excluded.decided_round),
      approved = matching.opinions.approved or excluded.approved,
      reviewer_id = case when excluded.decided_round >= matching.opinions.decided_round then excluded.reviewer_id
        else matching.opinions.reviewer_id end
    returning *`;
  return row!;
}

/**
 * The reviewer's finished assignment of the case's latest review search, locked with its search, while no other
 * review of the case is active: the one a resubmission reopens.
 *
 * @example
 * const finished = await lockFinishedReview(tx, caseId, reviewerId);
 */
export async function lockFinishedReview(tx: Tx, caseId: string, reviewerId: string): Promise<(AssignmentRow & { urgency: Urgency }) | undefined> {
  const [row] = await tx<(AssignmentRow & { urgency: Urgency })[]>`
    select a.*, r.urgency from matching.assignments a join matching.requests r on r.id = a.request_id
    where a.case_id = ${caseId} and a.kind = 'review' and a.professional_id = ${reviewerId} and a.state = 'done' and r.state = 'done'
      and r.round = (select max(round) from matching.requests where case_id = ${caseId} and kind = 'review')
      and not exists (select 1 from matching.assignments b where b.case_id = ${caseId} and b.kind = 'review' and b.state = 'active')
    order by a.created_at desc
    limit 1
    for update of a, r`;
  return row;
}

/**
 * Makes a finished review assignment active again, due at `dueAt` for review round `round`, and counts it in the
 * reviewer's load; its search is assigned again (so reclaim-overdue sees it).
 *
 * @example
 * await reopenReview(tx, { assignment, round: 2, dueAt, now });
 */
export async function reopenReview(tx: Tx, r: { assignment: AssignmentRow; round: number; dueAt: Date; now: Date }): Promise<void> {
  await tx`update matching.assignments set state = 'active', due_at = ${r.dueAt}, ended_at = null where id = ${r.assignment.id} and state = 'done'`;
  await tx`update matching.professionals set active_cases = active_cases + 1 where id = ${r.assignment.professionalId}`;
  await tx`
    update matching.requests set state = 'assigned', review_round = ${r.round}, updated_at = ${r.now}
    where id = ${r.assignment.requestId} and state = 'done'`;
}
