import { log } from '../../shared/telemetry/index.ts';
import { triageCase, type PipelineDeps, type TriageReason } from './pipeline.ts';
import { casesToSweep } from './queries.ts';

/**
 * Runs triages outside the event's transaction (provider calls must not hold a database connection) and remembers
 * those in flight so shutdown can wait for them. What a crash loses, the sweep finds: a ready case whose runner
 * did not finish is taken again once its lease and the grace period have passed.
 *
 * @example
 * const runner = createRunner(deps);
 * runner.kick(caseId); // returns at once
 * await runner.drain(); // SIGTERM
 */
export function createRunner(deps: PipelineDeps, scope?: () => readonly string[]) {
  const inFlight = new Set<Promise<unknown>>();
  const run = (caseId: string, reason: TriageReason) => {
    const job = triageCase(caseId, reason, deps)
      .catch((error: Error) => log.error('triage failed; the sweep retries', { caseId, error: error.name, message: error.message.slice(0, 200) }))
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
    return job;
  };
  return {
    /** Starts triage of a case that just became ready; never throws. */
    kick(caseId: string): void {
      void run(caseId, 'ready');
    },
    /**
     * The `triage-sweep` job: triages ready cases left behind and paid cases whose documents never finished.
     * Safe to run twice at once (each case is claimed by one runner).
     */
    async sweep(limit = 20): Promise<number> {
      const now = deps.now().getTime();
      const ids = await casesToSweep(deps.sql(), new Date(now), new Date(now - deps.settings.readyGraceMs), new Date(now - deps.settings.documentTimeoutMs), limit, scope?.());
      for (const id of ids) await run(id, 'timeout');
      return ids.length;
    },
    /** Resolves when every triage started so far has ended. */
    async drain(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
