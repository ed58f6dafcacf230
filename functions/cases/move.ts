import { CaseStatusChangedV1 } from '../../events/case.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import { transition, type CaseCommand, type CaseStatus } from './lifecycle.ts';
import { insertTimeline, updateStatus, type CaseRow } from './queries.ts';
import { measureMove } from './stage-metrics.ts';

/**
 * Moves a locked case by `command`: the status, one timeline row and `case.status-changed.v1`, all in `tx`.
 * An illegal move is a 409 and changes nothing. `cause` names who moved it (a command or an event type). Once `tx`
 * commits, the time spent in the status left (and a missed turnaround, on delivery) reach the metrics.
 *
 * @example
 * const row = await findCase(tx, id, { forUpdate: true });
 * await applyMove(tx, row, 'submit', { cause: 'submit', note: null });
 */
export async function applyMove(
  tx: Tx,
  row: Pick<CaseRow, 'id' | 'ownerId' | 'status' | 'urgency' | 'paidAt' | 'slaBreachedAt'>,
  command: CaseCommand,
  options: { cause: string; note: string | null },
): Promise<{ from: CaseStatus; to: CaseStatus }> {
  const move = transition(row.status, command);
  if (!move.ok) {
    throw new HttpProblem(409, 'illegal-transition', { detail: `This case cannot move: ${move.reason}.`, currentStatus: move.from });
  }
  await updateStatus(tx, row.id, move.to);
  const seconds = await insertTimeline(tx, { caseId: row.id, status: move.to, note: options.note });
  await measureMove(tx, row, move, seconds);
  await emit(tx, CaseStatusChangedV1, {
    source: 'cases',
    subject: row.id,
    data: { caseId: row.id, ownerId: row.ownerId, from: move.from, to: move.to, cause: options.cause },
  });
  return { from: move.from, to: move.to };
}
