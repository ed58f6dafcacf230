import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import { defineEvent, type CloudEvent } from '../../events/envelope.ts';
import { EventDeadLetteredV1 } from '../../events/platform.ts';
import { eventually, testRuntime } from '../../test/support/runtime.ts';
import { uniqueName } from '../../test/support/names.ts';
import { closeDb, db, transaction } from '../db/index.ts';
import { defineFunction } from '../http/function.ts';
import { HttpProblem } from '../http/problem.ts';
import { initTelemetry, withSpan } from '../telemetry/index.ts';
import { on } from './consumer.ts';
import { listDeadLetters, replayDeadLetter } from './dead-letters.ts';
import { dispatchDue } from './delivery.ts';
import { emit } from './emit.ts';
import { connectJetStream } from './nats.ts';
import { pruneBus, relayOnce } from './relay.ts';
import { config } from '../config/index.ts';

const ThingHappenedV1 = defineEvent(
  'test.thing.happened.v1',
  'A thing happened in a test.',
  v.object({ label: v.string(), failTimes: v.optional(v.number(), 0), busyTimes: v.optional(v.number(), 0) }),
);

/**
 * A consumer that records what it applied; it fails the first `failTimes` attempts of an event (-1: always), after
 * answering the first `busyTimes` ones busy (503 with Retry-After: 1).
 */
function recorder() {
  const name = uniqueName('rec');
  const attempts = new Map<string, number>();
  const applied: CloudEvent<v.InferOutput<typeof ThingHappenedV1.schema>>[] = [];
  let healed = false;
  const fn = defineFunction({
    name,
    events: [
      on(ThingHappenedV1, async (_tx, event) => {
        const n = (attempts.get(event.id) ?? 0) + 1;
        attempts.set(event.id, n);
        if (n <= event.data.busyTimes) throw new HttpProblem(503, 'busy', { detail: 'saturated on purpose', headers: { 'retry-after': '1' } });
        const failing = n - event.data.busyTimes;
        if (!healed && (event.data.failTimes < 0 || failing <= event.data.failTimes)) throw new Error(`failing on purpose (attempt ${failing})`);
        applied.push(event);
      }),
    ],
  });
  return {
    name,
    fn,
    attempts,
    applied,
    labels: () => applied.map((e) => e.data.label),
    /** Ops fixed the cause: from now on every event applies. */
    heal: () => {
      healed = true;
    },
  };
}

async function setUp(maxAttempts = 3) {
  const consumer = recorder();
  const source = uniqueName('src');
  const harness = await testRuntime({
    functions: [consumer.fn],
    events: [{ event: ThingHappenedV1.type, function: consumer.name }],
    sources: [source],
    maxAttempts,
  });
  const publish = (label: string, failTimes = 0, busyTimes = 0) =>
    transaction((tx) => emit(tx, ThingHappenedV1, { source, subject: label, data: { label, failTimes, busyTimes } }));
  return { consumer, source, harness, publish };
}

describe('outbox → relay → consumer', () => {
  before(() => initTelemetry({ otel: undefined }));
  after(() => closeDb());

  it('never delivers an event whose transaction rolled back', async () => {
    const { consumer, source, harness, publish } = await setUp();
    try {
      await harness.runtime.start();
      await transaction(async (tx) => {
        await emit(tx, ThingHappenedV1, { source, data: { label: 'rolled-back', failTimes: 0, busyTimes: 0 } });
        throw new Error('abort');
      }).catch(() => undefined);
      await publish('committed');
      await eventually(() => consumer.labels().includes('committed'), 10_000, 'the committed event');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(consumer.labels(), ['committed']);
      const [row] = await db()`select count(*)::int as n from bus.outbox where source = ${source}`;
      assert.equal(row!.n, 1);
    } finally {
      await harness.close();
    }
  });

  it('delivers a committed event exactly once, with its trace context', async () => {
    const { consumer, harness, publish } = await setUp();
    try {
      await harness.runtime.start();
      let traceId = '';
      await withSpan('test', async () => {
        const { trace } = await import('@opentelemetry/api');
        traceId = trace.getActiveSpan()!.spanContext().traceId;
        await publish('once');
      });
      await eventually(() => consumer.applied.length === 1, 10_000, 'delivery');
      await harness.runtime.pump();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(consumer.applied.length, 1);
      assert.equal(consumer.applied[0]!.traceparent?.split('-')[1], traceId);
    } finally {
      await harness.close();
    }
  });

  it('keeps the order of the events of one transaction, and works in a plain postgres.js transaction too', async () => {
    const { consumer, source, harness } = await setUp();
    try {
      await transaction(async (tx) => {
        for (const label of ['first', 'second', 'third']) await emit(tx, ThingHappenedV1, { source, data: { label, failTimes: 0, busyTimes: 0 } });
      });
      await db().begin((tx) => emit(tx, ThingHappenedV1, { source, data: { label: 'plain', failTimes: 0, busyTimes: 0 } }));
      const rows = await db()`select data->>'label' as label from bus.outbox where source = ${source} order by seq`;
      assert.deepEqual(rows.map((r) => r.label), ['first', 'second', 'third', 'plain']);
      await harness.runtime.start();
      await eventually(() => consumer.applied.length === 4, 10_000, 'all four');
      assert.deepEqual(consumer.labels().sort(), ['first', 'plain', 'second', 'third']);
    } finally {
      await harness.close();
    }
  });

  it('delivers exactly once when the relay dies between publishing and marking the row', async () => {
    const { consumer, source, harness, publish } = await setUp();
    const { publisher } = harness.runtime;
    await publish('crash-after-publish');
    const crashing = {
      async publish(...args: Parameters<typeof publisher.publish>) {
        await publisher.publish(...args);
        throw new Error('relay died before marking');
      },
    };
    await assert.rejects(relayOnce(db(), crashing, { sources: [source] }), /relay died/);
    const [pending] = await db()`select count(*)::int as n from bus.outbox where source = ${source} and published_at is null`;
    assert.equal(pending!.n, 1, 'the row is still unpublished after the crash');
    try {
      await harness.runtime.start();
      await eventually(() => consumer.applied.length === 1, 10_000, 'delivery after the crash');
      await new Promise((r) => setTimeout(r, 300));
      await harness.runtime.pump();
      assert.equal(consumer.applied.length, 1);
    } finally {
      await harness.close();
    }
  });

  it('applies a redelivered event once', async () => {
    const { consumer, harness, publish } = await setUp();
    try {
      await harness.runtime.start();
      await publish('redelivered');
      await eventually(() => consumer.applied.length === 1, 10_000, 'delivery');
      const event = consumer.applied[0]!;
      assert.deepEqual(await harness.runtime.deliver(consumer.name, event), { ok: true });
      assert.deepEqual(await harness.runtime.deliver(consumer.name, event), { ok: true });
      assert.equal(consumer.applied.length, 1);
    } finally {
      await harness.close();
    }
  });

  it('hands the result of the slow preparation to the handler, and does not prepare an applied event again', async () => {
    const name = uniqueName('prep');
    const prepared: string[] = [];
    const handled: { label: string; prepared: string }[] = [];
    const fn = defineFunction({
      name,
      events: [
        on(
          ThingHappenedV1,
          async (_tx, event, result: string) => {
            handled.push({ label: event.data.label, prepared: result });
          },
          {
            prepare: async (event) => {
              prepared.push(event.id);
              return event.data.label.toUpperCase();
            },
          },
        ),
      ],
    });
    const source = uniqueName('src');
    const harness = await testRuntime({ functions: [fn], events: [{ event: ThingHappenedV1.type, function: name }], sources: [source] });
    try {
      await harness.runtime.start();
      await transaction((tx) => emit(tx, ThingHappenedV1, { source, subject: 'p', data: { label: 'slow', failTimes: 0, busyTimes: 0 } }));
      await eventually(() => handled.length === 1, 10_000, 'delivery');
      assert.deepEqual(handled.map(({ label, prepared: p }) => [label, p]), [['slow', 'SLOW']]);
      const [event] = await db()<{ id: string }[]>`select id from bus.outbox where source = ${source}`;
      const redelivered = { specversion: '1.0' as const, id: event!.id, source, type: ThingHappenedV1.type, time: new Date().toISOString(), datacontenttype: 'application/json' as const, data: { label: 'slow', failTimes: 0 } };
      assert.deepEqual(await harness.runtime.deliver(name, redelivered), { ok: true });
      assert.equal(prepared.length, 1, 'an applied event is not prepared again');
      assert.equal(handled.length, 1);
    } finally {
      await harness.close();
    }
  });

  it('retries a consumer that fails twice, then applies the event once', async () => {
    const { consumer, harness, publish } = await setUp();
    try {
      await harness.runtime.start();
      await publish('flaky', 2);
      await eventually(() => consumer.applied.length === 1, 10_000, 'the third attempt');
      const id = consumer.applied[0]!.id;
      assert.equal(consumer.attempts.get(id), 3);
      assert.equal((await listDeadLetters(db(), { consumer: consumer.name })).length, 0);
    } finally {
      await harness.close();
    }
  });

  it('waits for a busy consumer (503 with Retry-After) without counting it: more busy answers than attempts, then a failure, still applies once', async () => {
    const { consumer, harness, publish } = await setUp(2);
    try {
      await harness.runtime.start();
      await publish('saturated', 1, 3);
      await eventually(() => consumer.applied.length === 1, 20_000, 'the delivery after the consumer had room');
      assert.equal(consumer.attempts.get(consumer.applied[0]!.id), 5, 'three busy answers, one failure, then applied');
      assert.equal((await listDeadLetters(db(), { consumer: consumer.name })).length, 0);
    } finally {
      await harness.close();
    }
  });

  it('parks an event that always fails, keeps delivering the next, and replays it on request', async () => {
    const { consumer, harness, publish } = await setUp(3);
    try {
      await harness.runtime.start();
      await publish('poison', -1);
      await publish('healthy');
      await eventually(() => consumer.labels().includes('healthy'), 10_000, 'the event after the poison one');
      await eventually(async () => (await listDeadLetters(db(), { consumer: consumer.name })).length === 1, 10_000, 'the dead letter');
      const [letter] = await listDeadLetters(db(), { consumer: consumer.name });
      assert.equal(letter!.type, ThingHappenedV1.type);
      assert.equal(letter!.attempts, 3);
      assert.match(letter!.lastError, /HTTP 500/);
      assert.deepEqual(consumer.labels(), ['healthy']);

      const [alert] = await db()`
        select data from bus.outbox where source = 'platform' and type = ${EventDeadLetteredV1.type} and subject = ${letter!.eventId}`;
      assert.equal((alert!.data as { consumer: string }).consumer, consumer.name, 'ops are alerted by an event');

      // Ops fix the cause, then replay: the same event is applied once, and the letter is closed.
      consumer.heal();
      assert.equal(await replayDeadLetter(db(), letter!.id), true);
      assert.equal(await replayDeadLetter(db(), letter!.id), false, 'a letter is replayed once');
      await eventually(() => consumer.labels().includes('poison'), 10_000, 'the replay');
      assert.deepEqual(consumer.labels().sort(), ['healthy', 'poison']);
      assert.equal((await listDeadLetters(db(), { consumer: consumer.name })).length, 0);
    } finally {
      await harness.close();
    }
  });
});

describe('bus housekeeping', () => {
  after(() => closeDb());

  it('a dispatcher scoped to some sources delivers their events only, and leaves the others queued', async () => {
    const consumer = uniqueName('consumer');
    const [mine, theirs] = [uniqueName('mine'), uniqueName('theirs')];
    for (const source of [mine, theirs]) {
      const id = crypto.randomUUID();
      const envelope = { specversion: '1.0', id, source, type: ThingHappenedV1.type, time: new Date().toISOString(), data: { thingId: source } };
      await db()`insert into bus.deliveries (consumer, event_id, envelope) values (${consumer}, ${id}, ${db().json(envelope)})`;
    }
    const delivered: string[] = [];
    const deliver = async (_: string, event: CloudEvent) => (delivered.push(event.source), { ok: true as const });
    assert.equal(await dispatchDue(db(), deliver, { maxAttempts: 3, backoffMs: 10 }, { consumers: [consumer], sources: [mine] }), 1);
    assert.deepEqual(delivered, [mine]);
    const left = await db()<{ source: string }[]>`select envelope->>'source' as source from bus.deliveries where consumer = ${consumer}`;
    assert.deepEqual(left.map((r) => r.source), [theirs]);
    await db()`delete from bus.deliveries where consumer = ${consumer}`;
  });

  it('prunes published outbox rows past retention and keeps unpublished ones', async () => {
    const source = uniqueName('src');
    const insert = (published: string | null) => db()`
      insert into bus.outbox (id, source, type, time, data, published_at)
      values (${crypto.randomUUID()}, ${source}, ${ThingHappenedV1.type}, now(), '{}', ${published})`;
    await insert(new Date(Date.now() - 48 * 3_600_000).toISOString());
    await insert(new Date().toISOString());
    await insert(null);
    await pruneBus(db(), { outboxHours: 24 });
    const rows = await db()`select published_at from bus.outbox where source = ${source} order by published_at nulls last`;
    assert.equal(rows.length, 2, 'only the old published row is gone');
    assert.equal(rows[1]!.publishedAt, null, 'an unpublished row is never pruned');
  });

  it('creates the JetStream stream idempotently, so any number of processes may start at once', { skip: !config().nats && 'needs NATS: runs in the services profile' }, async () => {
    const options = { url: config().nats!.url, stream: uniqueName('S').replace('-', '_').toUpperCase(), subjectPrefix: uniqueName('p').replace('-', '_') };
    const buses = await Promise.all([connectJetStream(options), connectJetStream(options), connectJetStream(options)]);
    try {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const info = await (await jetstreamManager(buses[0]!.connection)).streams.info(options.stream);
      assert.deepEqual(info.config.subjects, [`${options.subjectPrefix}.>`]);
      await (await jetstreamManager(buses[0]!.connection)).streams.delete(options.stream);
    } finally {
      await Promise.all(buses.map((b) => b.close()));
    }
  });
});
