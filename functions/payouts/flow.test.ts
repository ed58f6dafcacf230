import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { emit } from '../../shared/bus/emit.ts';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { uniqueName } from '../../test/support/names.ts';
import { eventually, testRuntime } from '../../test/support/runtime.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { eventTriggers } from '../../triggers/events.ts';
import payouts from './app.ts';
import { delivered } from './testing.ts';
import { batchWeek, weekCutoff } from './week.ts';

after(closeDb);

const DAY = 86_400_000;

describe('payouts in the runtime', () => {
  it('earns from opinion.delivered.v1 through the outbox, and the scheduler runs weekly-batch on Monday 06:00 UTC', async () => {
    assert.deepEqual(eventTriggers.filter((t) => t.function === 'payouts').map((t) => t.event).sort(), [
      'identity.professional.status-changed.v1', 'identity.professional.verified.v1', 'opinion.delivered.v1',
    ]);
    const cron = cronTriggers.filter((t) => t.function === 'payouts');
    assert.deepEqual(cron.map((t) => [t.job, t.schedule]), [['weekly-batch', '0 6 * * 1']]);
    // A week of its own between 2050 and 2099: before every week batch.test.ts uses (so this batch cannot take the
    // earnings that file expects to pay) and after the present (so other files' earnings here are only skipped ones).
    const monday = weekCutoff(new Date(Date.UTC(2050, 0, 10) + randomInt(0, 2_500) * 7 * DAY)).getTime();
    const source = uniqueName('opinions-test');
    const harness = await testRuntime({ functions: [payouts], events: eventTriggers.filter((t) => t.function === 'payouts'), cron, sources: [source], now: () => new Date(monday - DAY) });
    try {
      await harness.runtime.start();
      const data = delivered({ authorId: randomUUID(), authorGrade: 'G3', urgency: 'urgent', signedAt: new Date(monday - 2 * DAY).toISOString() });
      await transaction((tx) => emit(tx, OpinionDeliveredV1, { source, subject: data.caseId, data }));
      const earned = async () => (await db()`select 1 from payouts.earnings where case_id = ${data.caseId}`).length === 1;
      await eventually(earned, 20_000, 'the earning recorded');

      await harness.runtime.scheduler.tick(new Date(monday + 6 * 3_600_000 + 60_000));
      const { weekKey } = batchWeek(new Date(monday + 6 * 3_600_000));
      const [batch] = await db()<{ id: string; cutoff: Date }[]>`select id, cutoff from payouts.batches where week_key = ${weekKey}`;
      assert.ok(batch, 'the tick made the week’s batch');
      assert.equal(batch.cutoff.getTime(), monday);
      const skipped = await db()<{ professionalId: string }[]>`select professional_id from payouts.skipped where batch_id = ${batch.id}`;
      assert.ok(skipped.some((s) => s.professionalId === data.authorId), 'no bank account: skipped, still unpaid');
    } finally {
      await harness.close();
    }
  });
});
