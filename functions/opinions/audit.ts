import { OpinionReadV1 } from '../../events/opinions.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';

/**
 * Records a read of opinion text (health data) as opinion.read.v1, in the transaction that read it: the audit trail
 * (compliance keeps it) gets exactly the reads that happened.
 *
 * @example
 * await auditRead(tx, principal, caseId, 'pdf');
 */
export async function auditRead(tx: Tx, principal: Principal, caseId: string, what: 'opinion' | 'pdf' | 'draft' | 'versions'): Promise<void> {
  await emit(tx, OpinionReadV1, { source: 'opinions', subject: caseId, data: { caseId, actorId: principal.id, actorRole: principal.role, what } });
}
