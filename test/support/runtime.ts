import { jetstreamManager } from '@nats-io/jetstream';
import { connectJetStream } from '../../shared/bus/nats.ts';
import { config } from '../../shared/config/index.ts';
import { db } from '../../shared/db/index.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { createRuntime, type RuntimeOptions } from '../../triggers/local/runtime.ts';
import type { CronTrigger, EventTrigger, HttpTrigger } from '../../triggers/types.ts';
import { uniqueName } from './names.ts';

/**
 * A runtime of its own for one test: its functions only, its outbox sources only, and — in the services profile —
 * its own JetStream stream and subject prefix (deleted on close), so tests sharing a database and a NATS server
 * never see each other's events.
 */
export async function testRuntime(declared: {
  functions: ConsiliumFunction[];
  events?: EventTrigger[];
  cron?: CronTrigger[];
  http?: HttpTrigger[];
  sources?: string[];
  maxAttempts?: number;
  now?: () => Date;
}) {
  const cfg = config();
  const stream = uniqueName('S').replace('-', '_').toUpperCase();
  const jetstream = cfg.nats
    ? await connectJetStream({ url: cfg.nats.url, stream, subjectPrefix: uniqueName('t').replace('-', '_') })
    : undefined;
  const options: RuntimeOptions = {
    functions: declared.functions,
    http: declared.http ?? [],
    events: declared.events ?? [],
    cron: declared.cron ?? [],
    sql: db(),
    secret: cfg.platformSecret,
    retry: { maxAttempts: declared.maxAttempts ?? 3, backoffMs: 20 },
    relaySources: declared.sources ?? declared.functions.map((f) => f.name),
    pollMs: 20,
    ...(declared.now ? { now: declared.now } : {}),
    ...(jetstream ? { jetstream } : {}),
  };
  const runtime = createRuntime(options);
  return {
    runtime,
    transport: jetstream ? 'jetstream' : 'in-process',
    async close() {
      await runtime.stop();
      if (jetstream) {
        await (await jetstreamManager(jetstream.connection)).streams.delete(stream);
        await jetstream.close();
      }
    },
  };
}

/** Polls `check` until it returns true, or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
