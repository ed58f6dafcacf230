/**
 * A professional's statuses: `pending_verification` until ops check the licence, then `active` (receives offers),
 * `paused` (by ops, e.g. on leave) or `suspended` (by ops, e.g. a complaint). Only `active` professionals get offers.
 */
export type ProfessionalStatus = 'pending_verification' | 'active' | 'suspended' | 'paused';

const allowed: Readonly<Record<ProfessionalStatus, readonly ProfessionalStatus[]>> = {
  pending_verification: ['active'],
  // active → active is a re-verification (new grade or specialties).
  active: ['active', 'paused', 'suspended'],
  paused: ['active', 'suspended'],
  suspended: ['active'],
};

/**
 * Whether a professional may go from `from` to `to`.
 *
 * @example
 * canTransition('pending_verification', 'active'); // true
 * canTransition('pending_verification', 'paused'); // false
 */
export function canTransition(from: ProfessionalStatus, to: ProfessionalStatus): boolean {
  return allowed[from].includes(to);
}
