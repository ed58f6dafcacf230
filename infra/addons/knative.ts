/**
 * Knative Serving (with Kourier as its networking layer) and Eventing (multi-tenant channel-based Broker on the
 * NATS JetStream channel of eventing-natss), installed from their pinned release files. `k8s.yaml.v2.ConfigFile`
 * is resolved by the Kubernetes provider at deploy time, so neither `pulumi preview` on a laptop nor the tests
 * fetch anything.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { NAMESPACES } from '../roles.ts';
import { versionsOf, type Settings } from '../settings.ts';
import { knativeReleaseUrls } from '../versions.ts';

/**
 * The Knative settings this stack depends on, applied over the release defaults (server-side apply patches).
 *
 * @example
 * knativeConfig('nats://nats.consilium.svc.cluster.local:4222').find((c) => c.name === 'config-nats');
 */
export function knativeConfig(natsUrl: string): { name: string; namespace: string; data: Record<string, string> }[] {
  return [
    {
      name: 'config-network',
      namespace: NAMESPACES.knativeServing,
      data: { 'ingress-class': 'kourier.ingress.networking.knative.dev' },
    },
    {
      // Every Knative Service answers only inside the cluster; the public HTTPRoute reaches them by Host.
      name: 'config-domain',
      namespace: NAMESPACES.knativeServing,
      data: { 'svc.cluster.local': '' },
    },
    {
      name: 'config-features',
      namespace: NAMESPACES.knativeServing,
      data: { 'secure-pod-defaults': 'enabled' },
    },
    {
      // OIDC: the Broker's dispatcher and PingSources send a service-account JWT whose audience is the subscriber,
      // which `requirePlatformCaller` verifies (shared/auth/oidc.ts). delivery-timeout: per-attempt timeouts.
      name: 'config-features',
      namespace: NAMESPACES.knativeEventing,
      data: { 'authentication-oidc': 'enabled', 'delivery-timeout': 'enabled' },
    },
    {
      // eventing-natss's dispatcher keeps its channels on the stack's NATS JetStream.
      name: 'config-nats',
      namespace: NAMESPACES.knativeEventing,
      data: { 'eventing-nats': `url: ${natsUrl}\n` },
    },
  ];
}

/**
 * Installs Serving, Kourier, Eventing, the MT Broker and the JetStream channel in order (CRDs before what uses
 * them), then patches their settings.
 *
 * @example
 * const knative = knativeInstall(settings, 'nats://nats.consilium.svc.cluster.local:4222', { provider });
 */
export function knativeInstall(settings: Settings, natsUrl: string, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const urls = knativeReleaseUrls(versionsOf(settings));
  const installed: pulumi.Resource[] = [];
  const order: (keyof typeof urls)[] = ['servingCrds', 'servingCore', 'kourier', 'eventingCrds', 'eventingCore', 'mtBroker', 'natssChannel'];
  for (const key of order) {
    const previous = installed.at(-1);
    installed.push(new k8s.yaml.v2.ConfigFile(`knative-${key}`, { file: urls[key] }, { ...opts, ...(previous ? { dependsOn: [previous] } : {}) }));
  }
  for (const { name, namespace, data } of knativeConfig(natsUrl)) {
    installed.push(
      new k8s.core.v1.ConfigMapPatch(`${namespace}-${name}`, { metadata: { name, namespace }, data }, { ...opts, dependsOn: installed.slice(0, order.length) }),
    );
  }
  return installed;
}

/**
 * Lets anyone fetch the cluster's service-account issuer keys (onprem; clouds publish theirs), so functions can
 * verify Knative Eventing's OIDC tokens without an API token of their own.
 *
 * @example
 * issuerDiscovery({ provider });
 */
export function issuerDiscovery(opts: pulumi.CustomResourceOptions): k8s.rbac.v1.ClusterRoleBinding {
  return new k8s.rbac.v1.ClusterRoleBinding(
    'oidc-issuer-discovery',
    {
      metadata: { name: 'consilium-oidc-issuer-discovery' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' }],
    },
    opts,
  );
}
