import { ProfessionalStatusChangedV1, ProfessionalVerifiedV1 } from '../../events/identity.ts';
import { on, type Subscription } from '../../shared/bus/consumer.ts';
import { upsertProfessional } from './queries.ts';

/**
 * Payouts' own view of professionals, kept from identity's events: the grade (a reviewer's fee falls back to it)
 * and the status. Names and bank details are never in events; bank details come from the professional directly.
 *
 * @example
 * defineFunction({ name: 'payouts', events: [...professionalView()] });
 */
export function professionalView(): Subscription[] {
  return [
    on(ProfessionalVerifiedV1, async (tx, event) => {
      await upsertProfessional(tx, { professionalId: event.data.professionalId, grade: event.data.grade, status: 'active' });
    }),
    on(ProfessionalStatusChangedV1, async (tx, event) => {
      await upsertProfessional(tx, { professionalId: event.data.professionalId, status: event.data.to });
    }),
  ];
}
