import type { Tx } from '../../shared/db/index.ts';
import { finishAssignment } from './assignment-queries.ts';
import type { MatchingSettings } from './config.ts';
import { lockFinishedReview, recordDecision, recordSubmission, reopenReview, type OpinionRounds } from './review-round-queries.ts';
import { findCaseView, lockCase } from './view-queries.ts';

/**
 * Every review round has a deadline. An opinion's submission n goes to review round n, and its reviewer owes a
 * decision while a later round was submitted than decided and none was approved; then their assignment is active, due
 * `reviewTurnaroundMs` after the round reached matching, and reclaim-overdue takes it back when that passes. Rounds
 * come from the events themselves (opinion.submitted.v1 and the decisions carry theirs), never from arrival order, so
 * a late or repeated event cannot reopen a finished review or move a deadline.
 */

/**
 * The author submitted review round `round` of the opinion: with peer review, a resubmission after changes were
 * requested gives the reviewer the new round with a fresh deadline. A round already known (the event again, under any
 * id) or older than the latest (overtaken) changes nothing. The caller holds the case's lock (`lockCase`), taken
 * before any other row of the case, as a cancellation takes it: the same order everywhere, so the two cannot deadlock.
 *
 * @example
 * await lockCase(tx, caseId);
 * await reviewSubmitted(tx, settings, { caseId, opinionId, round: 2 });
 */
export async function reviewSubmitted(tx: Tx, settings: MatchingSettings, s: { caseId: string; opinionId: string; round: number | undefined }): Promise<void> {
  const rounds = await recordSubmission(tx, s);
  if (rounds) await reopenOwedRound(tx, settings, rounds);
}

/**
 * The reviewer decided round `round` (approved or changes requested): that round's assignment is done (counted on
 * time or late). A decision older than one already recorded ends nothing; a resubmission that arrived first reopens
 * the next round at once.
 *
 * @example
 * await reviewDecided(tx, settings, { caseId, opinionId, reviewerId, round: 1, approved: false });
 */
export async function reviewDecided(
  tx: Tx,
  settings: MatchingSettings,
  d: { caseId: string; opinionId: string; reviewerId: string; round: number; approved: boolean },
): Promise<void> {
  await lockCase(tx, d.caseId);
  const rounds = await recordDecision(tx, d);
  if (rounds.decidedRound > d.round) return;
  await finishAssignment(tx, { caseId: d.caseId, kind: 'review', professionalId: d.reviewerId, now: settings.now() });
  await reopenOwedRound(tx, settings, rounds);
}

/** Reopens the reviewer's finished assignment when they owe a submitted round (the case still going on). */
async function reopenOwedRound(tx: Tx, settings: MatchingSettings, rounds: OpinionRounds): Promise<void> {
  if (rounds.approved || !rounds.reviewerId || rounds.submissions <= rounds.decidedRound) return;
  if ((await findCaseView(tx, rounds.caseId))?.cancelled) return;
  const finished = await lockFinishedReview(tx, rounds.caseId, rounds.reviewerId);
  if (!finished) return;
  const now = settings.now();
  const dueAt = new Date(now.getTime() + settings.reviewTurnaroundMs[finished.urgency]);
  await reopenReview(tx, { assignment: finished, round: rounds.submissions, dueAt, now });
}
