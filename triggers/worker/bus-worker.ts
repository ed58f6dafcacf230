import { dispatchDue, type Deliver, type RetryPolicy } from '../../shared/bus/delivery.ts';
import { pruneBus, relayOnce, type Publisher } from '../../shared/bus/relay.ts';
import { onRelayWake } from '../../shared/bus/signal.ts';
import type { Sql } from '../../shared/db/index.ts';
import { loop, type Loop } from '../local/loop.ts';

export interface BusWorkerOptions {
  sql: Sql;
  publisher: Publisher;
  deliver: Deliver;
  retry: RetryPolicy;
  /** Consumers whose queued deliveries this worker hands out; all when undefined. */
  consumers?: readonly string[];
  /** Outbox sources this worker relays and delivers; all when undefined. */
  sources?: readonly string[];
  pollMs?: number;
}

/**
 * The bus's background work, wherever it runs (inside `npm start`, or as the `bus-worker` Deployment in
 * production): relay the outbox (woken at once by commits in this process, polled otherwise), hand out queued
 * deliveries (in-process events and replays), and prune what no longer needs keeping. Safe to run in several
 * processes at once: every pass claims its rows with SKIP LOCKED or a lease.
 *
 * @example
 * const worker = startBusWorker({ sql: db(), publisher: jetstream.publisher, deliver, retry });
 * process.once('SIGTERM', () => worker.stop());
 */
export function startBusWorker(options: BusWorkerOptions): { stop(): Promise<void> } {
  const pollMs = options.pollMs ?? 500;
  const relay = loop('relay', () => relayOnce(options.sql, options.publisher, options.sources ? { sources: options.sources } : {}), pollMs);
  const unsubscribe = onRelayWake(() => relay.wake());
  const loops: Loop[] = [
    relay,
    loop('deliveries', () => dispatchDue(options.sql, options.deliver, options.retry, {
      ...(options.consumers ? { consumers: options.consumers } : {}),
      // A runtime that relays some sources only (a test's) also delivers only those: others' are theirs to deliver.
      ...(options.sources ? { sources: options.sources } : {}),
    }), pollMs),
    loop('prune', () => pruneBus(options.sql).then(() => 0), 3_600_000),
  ];
  return {
    async stop() {
      unsubscribe();
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
