import { fileURLToPath } from 'node:url';
import { createScratchDatabase } from '../test/services/database.ts';
import { servicesEnv } from '../test/services/env.ts';
import { runMeasuringChild } from './support/children.ts';
import { answers } from './support/net.ts';
import { measured, type Row } from './support/report.ts';
import type { OutboxRun } from './fixtures/outbox-measure.ts';

export interface OutboxOptions {
  /** Events per burst run. */
  events: number;
  /** Events per emitting transaction. */
  batch: number;
  /** Burst runs per side, alternated. */
  rounds: number;
  /** Events sent one at a time, for the latency without a queue. */
  singles: number;
}

export const outboxDefaults: OutboxOptions = { events: 2000, batch: 50, rounds: 2, singles: 100 };

const root = fileURLToPath(new URL('..', import.meta.url));
// Generous: the child bounds each of its runs (2 min); this only catches a child that hangs outside them.
const CHILD_TIMEOUT_MS = 10 * 60_000;

/**
 * Events through the outbox (emit → relay → JetStream → runtime consumer → handler) vs raw JetStream publish +
 * consume with the same client. Runs in a child process (fixtures/outbox-measure.ts) with the services'
 * environment, so this process's configuration never points at them. SKIPPED when NATS or PgBouncer is down.
 *
 * @example
 * const rows = await benchOutbox(outboxDefaults);
 */
export async function benchOutbox(options: OutboxOptions = outboxDefaults): Promise<Row[]> {
  const skip = (reason: string): Row[] => [{ name: 'outbox throughput', unit: 'events/s', status: 'SKIPPED', note: reason }];
  // The services profile's addresses unless told otherwise (another database, another NATS).
  const services = {
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? servicesEnv.DATABASE_URL,
    NATS_URL: process.env.BENCH_NATS_URL ?? servicesEnv.NATS_URL,
  };
  for (const url of [services.NATS_URL, services.DATABASE_URL]) {
    if (!(await answers(url))) return skip(`nothing answers at ${new URL(url).host} (start it: bash test/services/start.sh)`);
  }
  // A database of its own behind the same pooler, unless one was named: no earlier run's schema gets in the way.
  const scratch = process.env.BENCH_DATABASE_URL ? undefined : await createScratchDatabase('bench');
  try {
    return await measure(options, { ...services, ...(scratch ? { DATABASE_URL: scratch.url } : {}) }, skip);
  } finally {
    await scratch?.drop();
  }
}

async function measure(options: OutboxOptions, services: Record<string, string>, skip: (reason: string) => Row[]): Promise<Row[]> {
  const answer = await runMeasuringChild<{ skipped?: string; result?: OutboxResult }>(
    fileURLToPath(new URL('fixtures/outbox-measure.ts', import.meta.url)),
    {
      ...services,
      LOG_LEVEL: 'warn',
      MIGRATIONS_ROOT: root,
      BENCH_EVENTS: String(options.events),
      BENCH_BATCH: String(options.batch),
      BENCH_ROUNDS: String(options.rounds),
      BENCH_SINGLES: String(options.singles),
    },
    root,
    CHILD_TIMEOUT_MS,
  );
  if (answer.skipped) return skip(answer.skipped);
  return rows(answer.result!);
}

interface OutboxResult extends Omit<OutboxOptions, 'singles'> {
  runs: { ours: OutboxRun[]; raw: OutboxRun[] };
  singles: { ours: OutboxRun; raw: OutboxRun };
}

/** Throughput is judged on the better burst of each side; latencies are information without a target. */
function rows(result: OutboxResult): Row[] {
  const best = (runs: OutboxRun[]) => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const ours = best(result.runs.ours);
  const raw = best(result.runs.raw);
  const details = result;
  return [
    measured('outbox throughput', 'events/s', ours.perSecond, raw.perSecond, { op: '>=', value: 0.25 }, {
      note: `${result.events} events (transactions of ${result.batch}), best of ${result.rounds} alternated bursts each`,
      details,
    }),
    measured('outbox p50 latency, burst', 'ms', ours.p50Ms, raw.p50Ms, undefined, {
      note: `emit/publish call -> handler, same bursts: mostly time queued behind the ${result.events - 1} others`,
    }),
    measured('outbox p50 latency, one at a time', 'ms', result.singles.ours.p50Ms, result.singles.raw.p50Ms, undefined, {
      note: `${result.singles.ours.events} events, each sent after the previous was handled; p99 ${result.singles.ours.p99Ms.toFixed(1)} vs ${result.singles.raw.p99Ms.toFixed(1)} ms`,
    }),
  ];
}
