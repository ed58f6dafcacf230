import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { contentName } from './names.ts';
import { OTLP_ENDPOINT } from './addons/observability.ts';
import type { Settings } from './settings.ts';
import { brokerUrl } from './worker.ts';
import { labels } from './workload.ts';

/**
 * The plain (non-secret) settings every workload reads: the stack's `env`, plus what the platform derives itself.
 * `FUNCTION_URL_TEMPLATE` points the bus worker at each function's cluster-local Knative address.
 *
 * @example
 * plainEnv(settings).FUNCTION_URL_TEMPLATE; // 'http://{function}.consilium.svc.cluster.local'
 */
export function plainEnv(settings: Settings): Record<string, string> {
  return {
    ...settings.env,
    // shared/config refuses every embedded default in production: a missing credential fails at start, not later.
    NODE_ENV: 'production',
    PUBLIC_URL: `https://${settings.domain}`,
    FUNCTION_URL_TEMPLATE: `http://{function}.${settings.namespace}.svc.cluster.local`,
    OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_ENDPOINT,
    // Read by the bus worker only: it publishes relayed events to the Broker, whose Triggers deliver them.
    BUS_BROKER_URL: brokerUrl(settings),
  };
}

/**
 * The ConfigMap's name, which changes with its content: every Knative Service then gets a new revision (and the
 * worker a rollout) instead of pods reading stale values from an edited ConfigMap.
 *
 * @example
 * runtimeConfigName(settings); // 'consilium-config-' and 8 hex digits
 */
export function runtimeConfigName(settings: Settings): string {
  return contentName('consilium-config', plainEnv(settings));
}

/**
 * The immutable ConfigMap of plain settings, named by {@link runtimeConfigName}.
 *
 * @example
 * const config = runtimeConfig(settings, { provider, dependsOn: [namespace] });
 */
export function runtimeConfig(settings: Settings, opts: pulumi.CustomResourceOptions): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    'consilium-config',
    {
      metadata: { name: runtimeConfigName(settings), namespace: settings.namespace, labels: labels('config') },
      immutable: true,
      data: plainEnv(settings),
    },
    // A new name is a new object, created before the old one is deleted: running pods never lose their settings.
    opts,
  );
}
