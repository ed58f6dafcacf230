import { CronExpressionParser } from 'cron-parser';
import type { CronTrigger } from '../types.ts';

/** Fires a job; the scheduler awaits it so one slow job cannot pile up ticks of itself. */
export type Fire = (trigger: CronTrigger, scheduledAt: Date) => Promise<void>;

/**
 * The local stand-in for Knative PingSources. It keeps no timer of its own: whoever owns the clock calls
 * `tick(now)` (the runtime once a second with the wall clock; tests with any time they like), and every job whose
 * next time has come fires once, for the latest time it missed — like a PingSource, it does not replay a backlog.
 *
 * @example
 * const scheduler = createScheduler(cronTriggers, fire, new Date());
 * await scheduler.tick(new Date());
 */
export function createScheduler(triggers: readonly CronTrigger[], fire: Fire, start: Date) {
  const nextAfter = (trigger: CronTrigger, after: Date) =>
    CronExpressionParser.parse(trigger.schedule, { currentDate: after, tz: 'UTC' }).next().toDate();
  const next = new Map(triggers.map((t) => [t, nextAfter(t, start)]));
  return {
    async tick(now: Date): Promise<void> {
      const due = triggers.filter((t) => next.get(t)!.getTime() <= now.getTime());
      await Promise.all(
        due.map(async (trigger) => {
          const expression = CronExpressionParser.parse(trigger.schedule, { currentDate: new Date(now.getTime() + 1), tz: 'UTC' });
          const scheduledAt = expression.prev().toDate();
          next.set(trigger, nextAfter(trigger, now));
          await fire(trigger, scheduledAt);
        }),
      );
    },
    /** When each job fires next (for `/readyz` details and tests). */
    nextRuns(): { job: string; function: string; at: Date }[] {
      return triggers.map((t) => ({ job: t.job, function: t.function, at: next.get(t)! }));
    },
  };
}

/** Refuses an invalid cron expression with the job's name, at start-up rather than at the first tick. */
export function assertSchedule(trigger: CronTrigger): void {
  try {
    CronExpressionParser.parse(trigger.schedule, { tz: 'UTC' });
  } catch (error) {
    throw new Error(`cron job ${trigger.function}/${trigger.job}: invalid schedule "${trigger.schedule}": ${(error as Error).message}`);
  }
}
