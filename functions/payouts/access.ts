import { authorize } from '../../shared/auth/policy.ts';
import type { Principal } from '../../shared/auth/principal.ts';

/**
 * Who may do what with pay, asked of the one policy (shared/auth/policy.ts `payout:*`): someone else's payout is
 * 404, a wrong role 403, a missing second factor 403 `mfa-required` (bank details are involved).
 */

/**
 * A professional acting on their own bank details, signed in with their second factor.
 *
 * @example
 * requireProfessionalWithMfa(c.get('principal'));
 */
export function requireProfessionalWithMfa(principal: Principal): void {
  authorize(principal, 'payout:bank-account');
}

/**
 * Ops running payouts (batches, bank files, marking paid), with a second factor.
 *
 * @example
 * requireOps(c.get('principal'));
 */
export function requireOps(principal: Principal): void {
  authorize(principal, 'payout:manage');
}

/**
 * Whose pay `principal` may read: a professional only their own, ops anyone's; anyone else's is 404.
 *
 * @example
 * requirePayReader(principal, payout.professionalId);
 */
export function requirePayReader(principal: Principal, professionalId: string): void {
  authorize(principal, 'payout:read', { ownerId: professionalId });
}

/**
 * Whose earnings a list or yearly statement shows: the professional's own, or for ops the one they name.
 *
 * @example
 * const professionalId = payeeOf(principal, query.professionalId);
 */
export function payeeOf(principal: Principal, requested: string | undefined): string {
  // Without a name, one's own; a professional naming someone else sees nothing, as if they had earned nothing.
  const payee = requested ?? principal.id;
  authorize(principal, 'payout:read', { ownerId: payee });
  return payee;
}
