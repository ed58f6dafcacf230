import { CASE_STATUSES } from '../../events/case.ts';

/**
 * The life of a case as one pure state machine: which command moves a case from which status to which, and
 * nothing else. Handlers and event consumers ask {@link transition}; an illegal move is refused (409), never
 * applied silently. Every applied move becomes one timeline row and one event, written by the caller in the same
 * transaction as the status change.
 */

export const STATUSES = CASE_STATUSES;
export type CaseStatus = (typeof STATUSES)[number];

/** The five stages of the design, plus where the side exits end. */
export type Stage = 'intake' | 'triage' | 'matching' | 'opinion' | 'delivery' | 'ended';

export const STAGE_OF: Readonly<Record<CaseStatus, Stage>> = {
  draft: 'intake',
  awaiting_payment: 'intake',
  triage: 'triage',
  matching: 'matching',
  assigned: 'matching',
  in_review: 'opinion',
  peer_review: 'opinion',
  delivered: 'delivery',
  closed: 'ended',
  cancelled: 'ended',
  refunded: 'ended',
};

/**
 * What can happen to a case, and from which statuses. Patients and ops issue some commands over HTTP; the others
 * arrive as events from the function that owns the fact (payment captured, case triaged, offer accepted…).
 */
const MOVES = {
  submit: { from: ['draft'], to: 'awaiting_payment' },
  confirm_payment: { from: ['awaiting_payment'], to: 'triage' },
  complete_triage: { from: ['triage'], to: 'matching' },
  assign: { from: ['matching'], to: 'assigned' },
  start_opinion: { from: ['assigned'], to: 'in_review' },
  request_peer_review: { from: ['in_review'], to: 'peer_review' },
  request_changes: { from: ['peer_review'], to: 'in_review' },
  deliver: { from: ['in_review', 'peer_review'], to: 'delivered' },
  // An assigned professional who misses the opinion deadline loses the case; it is offered again.
  take_back: { from: ['assigned', 'in_review'], to: 'matching' },
  close: { from: ['delivered'], to: 'closed' },
  // Before anyone is assigned a patient may cancel; money already taken is then refunded.
  cancel: { from: ['draft', 'awaiting_payment', 'triage', 'matching'], to: 'cancelled' },
  refund: { from: ['cancelled'], to: 'refunded' },
} as const satisfies Record<string, { from: readonly CaseStatus[]; to: CaseStatus }>;

export type CaseCommand = keyof typeof MOVES;
export const COMMANDS = Object.keys(MOVES) as CaseCommand[];

/** The outcome of asking to move a case: the new status, or why not. */
export type Transition = { ok: true; from: CaseStatus; to: CaseStatus } | { ok: false; from: CaseStatus; reason: string };

/**
 * Where `command` takes a case in status `from`.
 *
 * @example
 * transition('draft', 'submit');   // { ok: true, from: 'draft', to: 'awaiting_payment' }
 * transition('delivered', 'cancel'); // { ok: false, from: 'delivered', reason: 'a delivered case cannot be cancelled' }
 */
export function transition(from: CaseStatus, command: CaseCommand): Transition {
  const move = MOVES[command];
  if ((move.from as readonly CaseStatus[]).includes(from)) return { ok: true, from, to: move.to };
  return { ok: false, from, reason: `a ${from.replace('_', ' ')} case cannot be ${PAST[command]}` };
}

/** Statuses no command leaves. */
export function isFinal(status: CaseStatus): boolean {
  return COMMANDS.every((command) => !transition(status, command).ok);
}

const PAST: Record<CaseCommand, string> = {
  submit: 'submitted',
  confirm_payment: 'marked paid',
  complete_triage: 'marked triaged',
  assign: 'assigned',
  start_opinion: 'moved to drafting',
  request_peer_review: 'sent to peer review',
  request_changes: 'sent back for changes',
  deliver: 'delivered',
  take_back: 'taken back',
  close: 'closed',
  cancel: 'cancelled',
  refund: 'refunded',
};
