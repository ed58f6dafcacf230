/**
 * Eventing: one Knative Trigger per event subscription and one PingSource per cron job, generated from
 * `triggers/events.ts` and `triggers/cron.ts`, on a Broker backed by eventing-natss's NatsJetStreamChannel.
 *
 * Production path (infra/README.md, "Event delivery"): outbox → relay → JetStream → bus worker (bridge) → Broker
 * ingress → Trigger → function `/_events`. Knative cannot add our HS256 platform token, so Eventing OIDC is on:
 * the Broker's dispatcher and the PingSource adapter send a cluster-issued service-account JWT whose audience is
 * the function's name (`audience` on each destination below), and `requirePlatformCaller` accepts it when
 * PLATFORM_OIDC_ISSUER is set (shared/auth/oidc.ts). After the last retry Knative posts the event to the bus
 * worker's `/_dead-letters`, which parks it in bus.dead_letters like any other failed delivery.
 */
import { Broker, Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1';
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { PingSource } from '@kubernetes-models/knative/sources.knative.dev/v1';
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { assertSchedule } from '../triggers/local/scheduler.ts';
import { functionNames, type Declarations } from './declarations.ts';
import { objectName } from './names.ts';
import { sizeOf, type Settings } from './settings.ts';
import { DEAD_LETTER_AUDIENCE, deadLetterUri } from './worker.ts';
import { labels } from './workload.ts';

/** The ConfigMap that makes the Broker's channel a NatsJetStreamChannel. */
export const BROKER_CHANNEL_CONFIG = 'broker-channel';

/**
 * Where Knative sends what it gave up on: the stack's `deadLetterUri`, or the bus worker's `/_dead-letters`.
 *
 * @example
 * deadLetterSink(settings); // { uri: 'http://bus-worker.consilium.svc.cluster.local/_dead-letters', audience: 'bus-worker' }
 */
export function deadLetterSink(settings: Settings) {
  return settings.deadLetterUri ? { uri: settings.deadLetterUri } : { uri: deadLetterUri(settings), audience: DEAD_LETTER_AUDIENCE };
}

/**
 * A function's Knative Service as an Addressable, with a path on it; its OIDC audience is the function's name, the
 * same audience the platform token carries.
 */
function functionDestination(settings: Settings, functionName: string, uri: string) {
  return { ref: { apiVersion: Service.apiVersion, kind: Service.kind, name: functionName, namespace: settings.namespace }, uri, audience: functionName };
}

/**
 * The delivery policy of one subscription: exponential backoff, a dead-letter sink when configured, and a
 * per-attempt timeout of the function's own request timeout plus a cold-start budget, so a scale-from-zero start
 * is not counted as a failure.
 *
 * @example
 * deliverySpec(settings, 'matching'); // { retry: 4, backoffPolicy: 'exponential', backoffDelay: 'PT2S', timeout: 'PT90S', … }
 */
export function deliverySpec(settings: Settings, functionName: string) {
  return {
    retry: settings.eventRetry,
    backoffPolicy: 'exponential',
    backoffDelay: settings.eventBackoffDelay,
    // `timeout` is Knative's delivery-timeout feature (beta, on by default); the v1.10 schema predates it.
    timeout: `PT${sizeOf(settings, functionName).timeoutSeconds + settings.coldStartSeconds}S`,
    deadLetterSink: deadLetterSink(settings),
  };
}

/**
 * The Trigger that delivers one event type to one function, as a binary CloudEvent POSTed to its `/_events`.
 *
 * @example
 * eventTrigger(settings, { event: 'case.triaged.v1', function: 'matching' }).metadata?.name; // 'matching-case-triaged-v1'
 */
export function eventTrigger(settings: Settings, subscription: { event: string; function: string }): Trigger {
  const trigger = new Trigger({
    metadata: { name: objectName(subscription.function, subscription.event), namespace: settings.namespace, labels: labels(subscription.function) },
    spec: {
      broker: settings.broker,
      filter: { attributes: { type: subscription.event } },
      subscriber: functionDestination(settings, subscription.function, '/_events') as NonNullable<Trigger['spec']>['subscriber'],
      delivery: deliverySpec(settings, subscription.function) as NonNullable<Trigger['spec']>['delivery'],
    },
  });
  trigger.validate();
  return trigger;
}

/**
 * The PingSource that ticks one cron job: the declared five-field schedule, in UTC as `triggers/types.ts` says,
 * POSTed to the function's `/_cron/<job>`.
 *
 * @example
 * cronSource(settings, { job: 'expire-offers', schedule: '* * * * *', function: 'matching' }).spec?.sink?.uri; // '/_cron/expire-offers'
 */
export function cronSource(settings: Settings, job: { job: string; schedule: string; function: string }): PingSource {
  assertSchedule(job);
  // cron-parser (the local scheduler) also takes a seconds field; PingSource takes the standard five only.
  if (job.schedule.trim().split(/\s+/).length !== 5) throw new Error(`cron ${job.function}/${job.job}: schedule must have five fields`);
  const source = new PingSource({
    metadata: { name: objectName(job.function, job.job), namespace: settings.namespace, labels: labels(job.function) },
    spec: {
      schedule: job.schedule,
      // The PingSource adapter otherwise uses its own time zone, which a cluster operator may change.
      timezone: 'UTC',
      sink: functionDestination(settings, job.function, `/_cron/${job.job}`) as NonNullable<PingSource['spec']>['sink'],
    },
  });
  source.validate();
  return source;
}

/**
 * The namespace's Broker: the multi-tenant channel-based class on a NatsJetStreamChannel (durable, on the stack's
 * JetStream), with the same dead-letter sink as the Triggers.
 *
 * @example
 * broker(settings).metadata?.name; // 'default'
 */
export function broker(settings: Settings): Broker {
  const b = new Broker({
    metadata: {
      name: settings.broker,
      namespace: settings.namespace,
      labels: labels('broker'),
      annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' },
    },
    spec: {
      config: { apiVersion: 'v1', kind: 'ConfigMap', name: BROKER_CHANNEL_CONFIG, namespace: settings.namespace },
      delivery: { deadLetterSink: deadLetterSink(settings) as NonNullable<NonNullable<Broker['spec']>['delivery']>['deadLetterSink'] },
    },
  });
  b.validate();
  return b;
}

function customResource(name: string, model: { toJSON(): object }, opts: pulumi.CustomResourceOptions) {
  return new k8s.apiextensions.CustomResource(name, model.toJSON() as k8s.apiextensions.CustomResourceArgs, opts);
}

/**
 * Declares the Broker (only when some function consumes events), the Triggers and the PingSources. They depend on
 * the function Services they address, so a sink is never a Service that does not exist yet.
 *
 * @example
 * eventing(settings, declaredTriggers(), functionServices(…), { provider });
 */
export function eventing(
  settings: Settings,
  declarations: Declarations,
  services: ReadonlyMap<string, pulumi.Resource>,
  opts: pulumi.CustomResourceOptions,
): { broker?: k8s.apiextensions.CustomResource; triggers: k8s.apiextensions.CustomResource[]; sources: k8s.apiextensions.CustomResource[] } {
  const declared = new Set(functionNames(declarations));
  const serviceOf = (fn: string) => {
    const service = services.get(fn);
    if (!service || !declared.has(fn)) throw new Error(`function ${fn}: no Knative Service to deliver to`);
    return service;
  };
  const seen = new Set<string>();
  for (const t of declarations.events) {
    const key = `${t.function} ${t.event}`;
    if (seen.has(key)) throw new Error(`events: ${t.function} subscribes to ${t.event} twice (it would be delivered twice)`);
    seen.add(key);
  }
  const channel = declarations.events.length
    ? new k8s.core.v1.ConfigMap(
        'broker-channel',
        {
          metadata: { name: BROKER_CHANNEL_CONFIG, namespace: settings.namespace, labels: labels('broker') },
          data: { 'channel-template-spec': 'apiVersion: messaging.knative.dev/v1alpha1\nkind: NatsJetStreamChannel\n' },
        },
        opts,
      )
    : undefined;
  const brokerResource = channel ? customResource(`broker-${settings.broker}`, broker(settings), { ...opts, dependsOn: [channel] }) : undefined;
  const triggers = declarations.events.map((t) =>
    customResource(`trigger-${objectName(t.function, t.event)}`, eventTrigger(settings, t), {
      ...opts,
      dependsOn: [serviceOf(t.function), ...(brokerResource ? [brokerResource] : [])],
    }),
  );
  const sources = declarations.cron.map((job) =>
    customResource(`ping-${objectName(job.function, job.job)}`, cronSource(settings, job), { ...opts, dependsOn: [serviceOf(job.function)] }),
  );
  return { ...(brokerResource ? { broker: brokerResource } : {}), triggers, sources };
}
