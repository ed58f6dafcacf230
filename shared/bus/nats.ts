import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { fromBinaryHttp, toBinaryHttp, type CloudEvent } from '../../events/envelope.ts';
import type { Sql, Tx } from '../db/index.ts';
import { log } from '../telemetry/index.ts';
import { parkDeadLetter, retryDelayMs, type Deliver, type Outcome, type RetryPolicy } from './delivery.ts';
import type { Publisher } from './relay.ts';

/** Deliveries in flight per durable consumer. */
const CONCURRENCY = 16;

export interface JetStreamOptions {
  url: string;
  stream: string;
  subjectPrefix: string;
}

/** The JetStream side of the bus: one stream for every event, subjects `<prefix>.<event type>`. */
export interface JetStreamBus {
  publisher: Publisher;
  /** Delivers a consumer's event types until stopped; retries with backoff, parks after the last attempt. */
  consume(consumer: string, types: readonly string[], deliver: Deliver, policy: RetryPolicy, sql: Sql): Promise<() => Promise<void>>;
  subject(type: string): string;
  connection: NatsConnection;
  close(): Promise<void>;
}

/**
 * Connects to NATS and makes sure the stream exists (created or updated idempotently, so any number of processes
 * may start at once).
 *
 * @example
 * const bus = await connectJetStream({ url: 'nats://127.0.0.1:4222', stream: 'CONSILIUM', subjectPrefix: 'consilium' });
 */
export async function connectJetStream(options: JetStreamOptions): Promise<JetStreamBus> {
  const nc = await connect({ servers: options.url, name: 'consilium' });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const subject = (type: string) => `${options.subjectPrefix}.${type}`;
  const streamConfig = {
    name: options.stream,
    subjects: [`${options.subjectPrefix}.>`],
    duplicate_window: nanos(2 * 60_000),
    max_age: nanos(7 * 24 * 3_600_000),
  };
  await jsm.streams.add(streamConfig).catch(async (error: Error) => {
    if (!/already in use|already exists/i.test(error.message)) throw error;
    await jsm.streams.update(options.stream, streamConfig);
  });

  const publisher: Publisher = {
    async publish(_tx: Tx, events: CloudEvent[]) {
      // Sent in order on one connection, acknowledged together. Nats-Msg-Id = event id: a row published again
      // after a crash is dropped as a duplicate.
      await Promise.all(
        events.map((event) => {
          const { headers, body } = toBinaryHttp(event);
          const h = natsHeaders();
          for (const [name, value] of Object.entries(headers)) h.set(name, value);
          return js.publish(subject(event.type), body, { msgID: event.id, headers: h });
        }),
      );
    },
  };

  /** One durable consumer per (function, event type): a single filter subject works on every JetStream server. */
  async function consumeType(consumer: string, type: string, deliver: Deliver, policy: RetryPolicy, sql: Sql) {
    const durable = `${consumer}__${type}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const consumerConfig = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: subject(type),
      ack_wait: nanos(60_000),
    };
    await jsm.consumers.add(options.stream, consumerConfig).catch(async (error: Error) => {
      if (!/already in use|already exists/i.test(error.message)) throw error;
      await jsm.consumers.update(options.stream, durable, consumerConfig);
    });
    const messages = await (await js.consumers.get(options.stream, durable)).consume({ max_messages: 2 * CONCURRENCY });
    const stopping = new AbortController();
    // Several deliveries at once (idempotent consumers make order and duplicates harmless); bounded, so a slow
    // consumer holds at most this many messages and JetStream keeps the rest.
    const done = (async () => {
      const inFlight = new Set<Promise<void>>();
      for await (const message of messages) {
        const settling: Promise<void> = settle(message)
          .catch((error: unknown) => {
            log.error('settling a message failed; it will be redelivered', { subject: message.subject, error: String(error) });
            message.nak(retryDelayMs(message.info.deliveryCount, policy));
          })
          .finally(() => inFlight.delete(settling));
        inFlight.add(settling);
        if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    })();

    async function settle(message: JsMsg): Promise<void> {
      const decoded = fromBinaryHttp((name) => message.headers?.get(name) || undefined, message.string());
      if ('issues' in decoded) {
        log.error('undecodable message on the bus', { subject: message.subject, seq: message.seq });
        message.term('not a CloudEvent');
        return;
      }
      const attempts = message.info.deliveryCount;
      const outcome = await deliverPatiently(decoded.event, message);
      if (outcome.ok) return message.ack();
      // Still busy as this process stops: another consumer takes it after the wait, and it costs no attempt here.
      if (outcome.retryAfterMs !== undefined) return message.nak(outcome.retryAfterMs);
      if (outcome.permanent || attempts >= policy.maxAttempts) {
        await sql.begin((tx) => parkDeadLetter(tx, { consumer, event: decoded.event, attempts, error: outcome.error }));
        return message.term(outcome.error.slice(0, 100));
      }
      message.nak(retryDelayMs(attempts, policy));
    }

    /**
     * Delivers, and while the consumer answers busy (Retry-After) holds the message and asks again after the wait:
     * a nak would spend one of its deliveries each time, which a burst could turn into a dead letter. Held messages
     * are what backpressure looks like here: at most CONCURRENCY of them, and JetStream keeps the rest.
     */
    async function deliverPatiently(event: CloudEvent, message: JsMsg): Promise<Outcome> {
      for (;;) {
        const outcome = await deliver(consumer, event).catch((error: unknown): Outcome => ({ ok: false, permanent: false, error: String(error) }));
        if (outcome.ok || outcome.retryAfterMs === undefined || stopping.signal.aborted) return outcome;
        message.working();
        await sleep(outcome.retryAfterMs, stopping.signal);
      }
    }

    return async () => {
      stopping.abort();
      await messages.close();
      await done;
    };
  }

  async function consume(consumer: string, types: readonly string[], deliver: Deliver, policy: RetryPolicy, sql: Sql) {
    const stops = await Promise.all(types.map((type) => consumeType(consumer, type, deliver, policy, sql)));
    return async () => {
      await Promise.all(stops.map((stop) => stop()));
    };
  }

  return { publisher, consume, subject, connection: nc, close: () => nc.drain() };
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
