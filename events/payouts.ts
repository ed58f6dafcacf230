import * as v from 'valibot';
import { defineEvent } from './envelope.ts';
import { Grade, Money, Urgency } from './vocabulary.ts';

// Payout events carry ids, grades and amounts only; bank details never leave the payouts function.

export const EarningRecordedV1 = defineEvent(
  'earning.recorded.v1',
  'A professional earned a fee for a delivered case (as its author, or as the peer who reviewed it), from the rate table by grade and urgency.',
  v.object({
    earningId: v.string(),
    professionalId: v.string(),
    caseId: v.string(),
    role: v.picklist(['author', 'reviewer']),
    grade: Grade,
    urgency: Urgency,
    amount: Money,
  }),
);

export const PayoutPaidV1 = defineEvent(
  'payout.paid.v1',
  'A payout of a weekly batch was marked paid to a professional (the credit transfer went out).',
  v.object({ payoutId: v.string(), batchId: v.string(), professionalId: v.string(), amount: Money }),
);

export const PayoutBatchCreatedV1 = defineEvent(
  'payout.batch.created.v1',
  'The weekly payout batch was made: one payout per professional with a bank account (counts only; the credit-transfer file is fetched by ops).',
  v.object({ batchId: v.string(), weekKey: v.string(), payouts: v.pipe(v.number(), v.integer(), v.minValue(0)), skipped: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
);
