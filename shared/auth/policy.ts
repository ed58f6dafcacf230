import { HttpProblem, problems } from '../http/problem.ts';
import type { Principal, Role } from './principal.ts';

/**
 * The one place that says who may do what to which object. Handlers ask {@link authorize} after parsing and before
 * touching data; nothing else in the code base compares roles.
 *
 * Rules:
 * - An object the caller may not see (someone else's case, consent…) is answered 404, never 403, so ids cannot be
 *   probed. Ops see every object; a patient sees what they own; a professional sees cases assigned to them or
 *   given to them to review.
 * - A visible object, or an action without an object, that the caller's role may not act on is 403.
 * - Professionals and ops must have signed in with their second factor before any case data (403 `mfa-required`).
 */
export type Action =
  | 'case:create'
  | 'case:list'
  | 'case:read'
  | 'case:update'
  | 'case:submit'
  | 'case:cancel'
  | 'document:upload'
  | 'document:read'
  | 'opinion:read'
  | 'opinion:write'
  | 'opinion:sign'
  | 'opinion:review'
  | 'opinion:assign-reviewer'
  | 'followup:create'
  | 'followup:answer'
  | 'offer:list'
  | 'offer:respond'
  | 'offer:rescue'
  | 'ai-usage:read'
  | 'payout:bank-account'
  | 'payout:read'
  | 'payout:manage'
  | 'payment:checkout'
  | 'payment:release'
  | 'payment:report'
  | 'invoice:read'
  | 'consent:read'
  | 'consent:write'
  | 'professional:verify'
  | 'professional:set-status'
  | 'audit:read';

/** How the caller relates to an object: what decides whether they see it. */
export type Relation = 'owner' | 'assigned' | 'reviewer' | 'none';

/** The facts about an object the policy needs; each function maps its rows onto this. */
export interface Resource {
  /** The patient the object belongs to (case, consent, invoice…). */
  ownerId?: string | null;
  /** The professional assigned to the case. */
  assignedProfessionalId?: string | null;
  /** The professional reviewing the case's opinion. */
  reviewerId?: string | null;
}

type Grant = 'any' | readonly Relation[];

interface Rule {
  patient?: Grant;
  professional?: Grant;
  ops?: Grant;
  /** Health data is involved: professionals and ops need a second factor. */
  caseData?: boolean;
}

const rules: Readonly<Record<Action, Rule>> = {
  'case:create': { patient: 'any' },
  // Lists are filtered by the caller in the query (own / assigned / all); the policy says who may ask at all.
  'case:list': { patient: 'any', professional: 'any', ops: 'any', caseData: true },
  'case:read': { patient: ['owner'], professional: ['assigned', 'reviewer'], ops: 'any', caseData: true },
  'case:update': { patient: ['owner'] },
  'case:submit': { patient: ['owner'] },
  'case:cancel': { patient: ['owner'], ops: 'any', caseData: true },
  'document:upload': { patient: ['owner'] },
  'document:read': { patient: ['owner'], professional: ['assigned', 'reviewer'], ops: 'any', caseData: true },
  'opinion:read': { patient: ['owner'], professional: ['assigned', 'reviewer'], ops: 'any', caseData: true },
  'opinion:write': { professional: ['assigned'], caseData: true },
  'opinion:sign': { professional: ['assigned'], caseData: true },
  'opinion:review': { professional: ['reviewer'], caseData: true },
  'opinion:assign-reviewer': { ops: 'any', caseData: true },
  'followup:create': { patient: ['owner'] },
  'followup:answer': { professional: ['assigned'], caseData: true },
  'offer:list': { professional: 'any', caseData: true },
  'offer:respond': { professional: 'any', caseData: true },
  'offer:rescue': { ops: 'any', caseData: true },
  'ai-usage:read': { ops: 'any', caseData: true },
  // Pay involves bank details: a second factor for everyone who touches it. A payout's owner is its professional.
  'payout:bank-account': { professional: 'any', caseData: true },
  'payout:read': { professional: ['owner'], ops: 'any', caseData: true },
  'payout:manage': { ops: 'any', caseData: true },
  'payment:checkout': { patient: ['owner'] },
  'payment:release': { ops: 'any', caseData: true },
  'payment:report': { ops: 'any', caseData: true },
  'invoice:read': { patient: ['owner'], ops: 'any' },
  'consent:read': { patient: ['owner'], ops: 'any' },
  'consent:write': { patient: ['owner'] },
  'professional:verify': { ops: 'any' },
  'professional:set-status': { ops: 'any' },
  'audit:read': { ops: 'any', caseData: true },
};

/** The actions {@link authorize} knows, for table tests and documentation. */
export const ACTIONS = Object.keys(rules) as Action[];

/** What the policy answers: allowed, or the status and problem slug to refuse with. */
export type Decision =
  | { allowed: true }
  | { allowed: false; status: 404; reason: 'not-found' }
  | { allowed: false; status: 403; reason: 'forbidden' | 'mfa-required' };

/**
 * How `principal` relates to `resource`.
 *
 * @example
 * relationTo({ id: 'p1', role: 'patient', mfa: false, sessionId: 's' }, { ownerId: 'p1' }); // 'owner'
 */
export function relationTo(principal: Pick<Principal, 'id' | 'role'>, resource: Resource): Relation {
  if (resource.ownerId === principal.id) return 'owner';
  if (principal.role === 'professional' && resource.assignedProfessionalId === principal.id) return 'assigned';
  if (principal.role === 'professional' && resource.reviewerId === principal.id) return 'reviewer';
  return 'none';
}

/**
 * Decides whether `principal` may do `action` (to `resource`, when the action is about one object).
 *
 * @example
 * decide(patient, 'case:read', { ownerId: someoneElse }); // { allowed: false, status: 404, reason: 'not-found' }
 */
export function decide(principal: Principal, action: Action, resource?: Resource): Decision {
  const rule = rules[action];
  const grant = rule[principal.role as Role];
  if (resource) {
    const relation = relationTo(principal, resource);
    const sees = principal.role === 'ops' || relation !== 'none';
    if (!sees) return { allowed: false, status: 404, reason: 'not-found' };
    if (!grant || (grant !== 'any' && !grant.includes(relation))) return { allowed: false, status: 403, reason: 'forbidden' };
  } else if (!grant) {
    return { allowed: false, status: 403, reason: 'forbidden' };
  }
  if (rule.caseData && principal.role !== 'patient' && !principal.mfa) {
    return { allowed: false, status: 403, reason: 'mfa-required' };
  }
  return { allowed: true };
}

/**
 * Throws the problem {@link decide} calls for, or returns when allowed.
 *
 * @example
 * const row = await getCase(tx, id);
 * if (!row) throw problems.notFound(); // same answer as a case the caller may not see
 * authorize(c.get('principal'), 'case:read', { ownerId: row.patientId, assignedProfessionalId: row.professionalId });
 */
export function authorize(principal: Principal, action: Action, resource?: Resource): void {
  const decision = decide(principal, action, resource);
  if (decision.allowed) return;
  if (decision.reason === 'not-found') throw problems.notFound();
  if (decision.reason === 'mfa-required') {
    throw new HttpProblem(403, 'mfa-required', { detail: 'Sign in with your second factor to see case data.' });
  }
  throw problems.forbidden();
}
