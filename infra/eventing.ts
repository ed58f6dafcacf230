/**
 * Eventing: one Knative Trigger per event subscription and one PingSource per cron job, generated from
 * `triggers/events.ts` and `triggers/cron.ts`.
 *
 * KNOWN GAP — the platform token. A function's `/_events` and `/_cron/<job>` refuse any caller without
 * `Authorization: Bearer <platform token>`, an HS256 JWT signed with PLATFORM_SECRET for that function
 * (`shared/auth/platform.ts`). Stock Knative cannot send that: Triggers and PingSources have no way to add a request
 * header, let alone sign one per request. The one sender-authentication Knative has is Eventing OIDC
 * (`authentication-oidc: enabled` in `config-features`, alpha, off by default): the Broker's dispatcher and
 * PingSource then attach a Kubernetes service-account JWT (RS256, issued by the cluster, audience = the
 * subscriber's). `requirePlatformCaller` does not accept such a token today, so until it also verifies cluster OIDC
 * tokens (issuer discovery + JWKS, audience = the function), every delivery from these objects is answered 401,
 * retried, then dead-lettered. Nothing here pretends otherwise; the fix belongs in `shared/auth/platform.ts`.
 *
 * KNOWN GAP — the bridge. The outbox relay publishes to the JetStream stream (NATS_STREAM, subjects
 * `<NATS_SUBJECT_PREFIX>.<type>`); Triggers filter what arrives at the Broker. Nothing in the repo forwards the
 * stream into the Broker's ingress yet (nor does a stock Broker read an existing JetStream stream).
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
import { labels } from './workload.ts';

/** A function's Knative Service as an Addressable, with a path on it. */
function functionDestination(settings: Settings, functionName: string, uri: string) {
  return { ref: { apiVersion: Service.apiVersion, kind: Service.kind, name: functionName, namespace: settings.namespace }, uri };
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
    ...(settings.deadLetterUri ? { deadLetterSink: { uri: settings.deadLetterUri } } : {}),
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
      subscriber: functionDestination(settings, subscription.function, '/_events'),
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
      sink: functionDestination(settings, job.function, `/_cron/${job.job}`),
    },
  });
  source.validate();
  return source;
}

/**
 * The namespace's Broker. Which channel backs it (in-memory by default; NATS JetStream or Kafka in production) is
 * the cluster's `config-br-defaults`, not this program's.
 *
 * @example
 * broker(settings).metadata?.name; // 'default'
 */
export function broker(settings: Settings): Broker {
  const b = new Broker({
    metadata: { name: settings.broker, namespace: settings.namespace, labels: labels('broker') },
    spec: settings.deadLetterUri ? { delivery: { deadLetterSink: { uri: settings.deadLetterUri } } } : {},
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
  const brokerResource = declarations.events.length ? customResource(`broker-${settings.broker}`, broker(settings), opts) : undefined;
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
