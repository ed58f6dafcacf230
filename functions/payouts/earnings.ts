import { randomUUID } from 'node:crypto';
import type { CloudEvent, EventData } from '../../events/envelope.ts';
import type { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { EarningRecordedV1 } from '../../events/payouts.ts';
import type { Grade } from '../../shared/auth/grades.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Tx } from '../../shared/db/index.ts';
import type { PayoutsSettings } from './config.ts';
import { insertEarning, professionalGrade } from './queries.ts';
import { feeFor, type EarningRole } from './rates.ts';

type Delivered = CloudEvent<EventData<typeof OpinionDeliveredV1>>;

/**
 * Who earns what for a delivered opinion: the author by their grade, and the peer reviewer (when there was one)
 * by theirs; a reviewer's grade missing from the event falls back to what identity told us.
 */
async function earners(tx: Tx, data: Delivered['data']): Promise<{ professionalId: string; role: EarningRole; grade: Grade }[]> {
  const list: { professionalId: string; role: EarningRole; grade: Grade }[] = [{ professionalId: data.authorId, role: 'author', grade: data.authorGrade }];
  if (data.reviewerId) {
    const grade = data.reviewerGrade ?? (await professionalGrade(tx, data.reviewerId));
    // Retried, then dead-lettered for ops: paying a reviewer at a guessed grade would be worse than paying late.
    if (!grade) throw new Error(`no grade known for the reviewer of case ${data.caseId}`);
    list.push({ professionalId: data.reviewerId, role: 'reviewer', grade });
  }
  return list;
}

/**
 * The `opinion.delivered.v1` consumer: one earning per (case, professional, role) at the configured rates, in the
 * payout currency, dated when the opinion was signed; each new earning emits `earning.recorded.v1`. A second
 * delivery of the same case (another event id) meets the unique key and records nothing.
 *
 * @example
 * on(OpinionDeliveredV1, (tx, event) => recordEarnings(tx, event, settings));
 */
export async function recordEarnings(tx: Tx, event: Delivered, settings: PayoutsSettings): Promise<void> {
  const { data } = event;
  for (const earner of await earners(tx, data)) {
    const fee = feeFor(settings.rates, { currency: settings.currency, role: earner.role, grade: earner.grade, urgency: data.urgency });
    const row = await insertEarning(tx, {
      id: randomUUID(),
      caseId: data.caseId,
      opinionId: data.opinionId,
      professionalId: earner.professionalId,
      role: earner.role,
      grade: earner.grade,
      urgency: data.urgency,
      amount: fee.amount,
      currency: fee.currency,
      earnedAt: new Date(data.signedAt),
    });
    if (!row) continue;
    await emit(tx, EarningRecordedV1, {
      source: 'payouts',
      subject: row.id,
      data: { earningId: row.id, professionalId: row.professionalId, caseId: row.caseId, role: row.role, grade: row.grade, urgency: row.urgency, amount: fee },
    });
  }
}
