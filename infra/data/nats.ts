import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { ROLES, SERVICES, roleLabel, serviceHost } from '../roles.ts';
import { versionsOf, type Settings } from '../settings.ts';

/**
 * The NATS chart's values: a 3-node cluster (JetStream needs a quorum of three for replicated streams) with
 * JetStream on file storage — the outbox relay's stream and the Knative NatsJetStreamChannel both live here.
 *
 * @example
 * natsValues(settings).config.jetstream.fileStore.pvc.size; // '10Gi'
 */
export function natsValues(settings: Settings) {
  return {
    fullnameOverride: SERVICES.nats,
    config: {
      cluster: { enabled: true, replicas: 3 },
      jetstream: {
        enabled: true,
        fileStore: {
          enabled: true,
          pvc: { enabled: true, size: settings.data.natsStorage, ...(settings.cluster.storageClass ? { storageClassName: settings.cluster.storageClass } : {}) },
        },
        memoryStore: { enabled: false },
      },
    },
    podTemplate: { merge: { metadata: { labels: roleLabel(ROLES.nats) } } },
    // The toolbox pod is for humans; `kubectl run` one when needed.
    natsBox: { enabled: false },
  };
}

/**
 * NATS JetStream through its Helm chart, pinned. Reached at `nats://nats.<namespace>.svc.cluster.local:4222`.
 *
 * @example
 * const { url, release } = nats(settings, { provider, dependsOn: [namespace] });
 */
export function nats(settings: Settings, opts: pulumi.CustomResourceOptions): { url: string; release: k8s.helm.v3.Release } {
  const release = new k8s.helm.v3.Release(
    'nats',
    {
      name: 'nats',
      chart: 'nats',
      version: versionsOf(settings).natsChart,
      repositoryOpts: { repo: 'https://nats-io.github.io/k8s/helm/charts/' },
      namespace: settings.namespace,
      values: natsValues(settings),
    },
    opts,
  );
  return { url: `nats://${serviceHost(settings.namespace, SERVICES.nats)}:4222`, release };
}
