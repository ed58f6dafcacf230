/**
 * Test helpers for infra: a fixture of declarations, settings, a platform deployed against Pulumi's runtime mocks,
 * and checks every registered object must pass (Knative schema, Kubernetes well-formedness).
 */
import { Broker, Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1';
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { validate as validateObjectMeta } from '@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta';
import { PingSource } from '@kubernetes-models/knative/sources.knative.dev/v1';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import assert from 'node:assert/strict';
import { kubernetesKind, mockRuntime, quiet, type Registered } from './capture.ts';
import type { Declarations } from './declarations.ts';
import { deployPlatform, type Platform } from './platform.ts';
import { parseSettings, type Settings } from './settings.ts';

export { mockRuntime, quiet, type Registered };

export const T = {
  SERVICE: 'kubernetes:serving.knative.dev/v1:Service',
  TRIGGER: 'kubernetes:eventing.knative.dev/v1:Trigger',
  BROKER: 'kubernetes:eventing.knative.dev/v1:Broker',
  PING: 'kubernetes:sources.knative.dev/v1:PingSource',
  JOB: 'kubernetes:batch/v1:Job',
  DEPLOYMENT: 'kubernetes:apps/v1:Deployment',
  STATEFUL_SET: 'kubernetes:apps/v1:StatefulSet',
  CONFIG_MAP: 'kubernetes:core/v1:ConfigMap',
  SECRET: 'kubernetes:core/v1:Secret',
  K8S_SERVICE: 'kubernetes:core/v1:Service',
  HTTP_ROUTE: 'kubernetes:gateway.networking.k8s.io/v1:HTTPRoute',
  REFERENCE_GRANT: 'kubernetes:gateway.networking.k8s.io/v1beta1:ReferenceGrant',
  HELM: 'kubernetes:helm.sh/v3:Release',
  CONFIG_FILE: 'kubernetes:yaml/v2:ConfigFile',
  NETWORK_POLICY: 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
} as const;

/**
 * Waits until every resource of the platform is registered.
 *
 * @example
 * await registeredPlatform(deployPlatform(settings, fixture, provider));
 */
export async function registeredPlatform(platform: Platform): Promise<void> {
  const { namespace, config, migration, worker, functions, eventing } = platform;
  const all: pulumi.Resource[] = [namespace, config, migration, worker, ...functions.values(), ...eventing.triggers, ...eventing.sources];
  if (eventing.broker) all.push(eventing.broker);
  if (platform.routes) all.push(platform.routes);
  await Promise.all(all.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
}

export const byType = (registered: Registered[], type: string) => registered.filter((r) => r.type === type);
export const named = (registered: Registered[], type: string, name: string) => {
  const found = byType(registered, type).filter((r) => r.inputs.metadata?.name === name || r.inputs.name === name);
  assert.equal(found.length, 1, `exactly one ${type} named ${name}`);
  return found[0]!;
};
export const one = (registered: Registered[], type: string) => {
  const found = byType(registered, type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0]!;
};

/**
 * Validates a registered object with the typed Knative model of its kind.
 *
 * @example
 * for (const r of registered.filter((x) => /knative\.dev/.test(x.type))) validateKnative(r);
 */
export function validateKnative(r: Registered): void {
  const models: Record<string, new (data: any) => { validate(): void }> = { [T.SERVICE]: Service, [T.TRIGGER]: Trigger, [T.BROKER]: Broker, [T.PING]: PingSource };
  const Model = models[r.type];
  assert.ok(Model, `no Knative model for ${r.type}`);
  new Model(r.inputs).validate();
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRoleBinding', 'ClusterIssuer', 'GatewayClass']);

/**
 * Checks what the API server would check first: apiVersion and kind match the resource type, a valid name, a
 * namespace exactly when namespaced, label values within the rules, and a spec or data where the kind needs one.
 *
 * @example
 * for (const r of registered.filter((x) => x.type.startsWith('kubernetes:'))) assertWellFormed(r);
 */
export function assertWellFormed(r: Registered): void {
  const kind = kubernetesKind(r.type);
  assert.ok(kind, r.type);
  const { inputs } = r;
  const what = `${r.type} ${r.name}`;
  const kindName = kind.kind.replace(/Patch$/, '');
  assert.equal(inputs.apiVersion, kind.apiVersion, what);
  assert.equal(inputs.kind, kindName, what);
  assert.ok(validateObjectMeta(inputs.metadata), `${what}: metadata ${JSON.stringify((validateObjectMeta as unknown as { errors: unknown }).errors)}`);
  assert.match(inputs.metadata?.name ?? '', /:/.test(inputs.metadata?.name ?? '') ? /^system:|^[a-z]/ : DNS_SUBDOMAIN, `${what}: name`);
  if (CLUSTER_SCOPED.has(kindName)) assert.equal(inputs.metadata.namespace, undefined, `${what}: cluster-scoped`);
  else assert.match(inputs.metadata?.namespace ?? '', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${what}: namespace`);
  for (const [key, value] of Object.entries(inputs.metadata?.labels ?? {})) {
    assert.match(String(value), LABEL_VALUE, `${what}: label ${key}`);
    assert.ok(key.length <= 316, `${what}: label key ${key}`);
  }
  if (['Deployment', 'StatefulSet', 'Job'].includes(kindName)) {
    const template = inputs.spec.template;
    assert.ok(template.spec.containers.length > 0, `${what}: containers`);
    for (const c of template.spec.containers) assert.ok(c.name && c.image, `${what}: container name and image`);
    if (kindName !== 'Job') {
      // The selector must select the pods the template makes.
      for (const [k, v] of Object.entries(inputs.spec.selector.matchLabels)) assert.equal(template.metadata.labels[k], v, `${what}: selector ${k}`);
    }
  }
  if (kindName === 'Service' && kind.apiVersion === 'v1') {
    assert.ok(inputs.spec.ports.length > 0, `${what}: ports`);
  }
  if (kindName === 'ConfigMap') assert.ok(inputs.data && Object.values(inputs.data).every((v) => typeof v === 'string'), `${what}: string data`);
}

export const fixture: Declarations = {
  http: [
    { prefix: '/v1/cases', function: 'cases' },
    { prefix: '/v1/questions', function: 'cases' },
  ],
  events: [
    { event: 'case.submitted.v1', function: 'cases' },
    { event: 'case.triaged.v1', function: 'matching' },
  ],
  cron: [{ job: 'expire-offers', schedule: '*/5 * * * *', function: 'matching' }],
};

export const baseConfig = { target: 'onprem', image: 'registry.example.com/consilium:1.4.2', domain: 'api.example.com', acmeEmail: 'ops@example.com' };

export function fixtureSettings(extra: Record<string, unknown> = {}): Settings {
  return parseSettings({
    ...baseConfig,
    namespace: 'consilium-test',
    workerReplicas: 2,
    eventRetry: 7,
    functionSizes: { matching: { maxScale: 3, timeoutSeconds: 120 } },
    deadLetterUri: 'http://dead-letters.ops.svc.cluster.local',
    env: { LOG_LEVEL: 'debug' },
    ...extra,
  });
}

/** The app platform alone (no add-ons, no data services) on a test provider. */
export async function deployFixture(settings = fixtureSettings(), declarations = fixture) {
  const registered = await mockRuntime();
  const provider = new k8s.Provider('test-cluster', { kubeconfig: 'test' });
  const platform = deployPlatform(settings, declarations, provider);
  await registeredPlatform(platform);
  await quiet(registered);
  return { registered, settings, declarations };
}

/** Asserts the program refuses these inputs; in a stack of its own, drained, so stray registrations stay there. */
export async function assertRefused(settings: Settings, declarations: Declarations, pattern: RegExp): Promise<void> {
  const registered = await mockRuntime();
  assert.throws(() => deployPlatform(settings, declarations, new k8s.Provider('refused', { kubeconfig: 'test' })), pattern);
  await quiet(registered);
}
