import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Declarations } from './declarations.ts';
import { eventing } from './eventing.ts';
import { functionServices } from './functions.ts';
import { migrationJob, migrationJobName } from './migration.ts';
import { publicRoutes } from './routes.ts';
import { runtimeConfig, runtimeConfigName } from './runtime-config.ts';
import type { Settings } from './settings.ts';
import { busWorker } from './worker.ts';
import { labels } from './workload.ts';

/** Everything the shared Kubernetes layer creates, for the stack's outputs and for tests. */
export interface Platform {
  namespace: k8s.core.v1.Namespace;
  config: k8s.core.v1.ConfigMap;
  migration: k8s.batch.v1.Job;
  worker: k8s.apps.v1.Deployment;
  functions: Map<string, k8s.apiextensions.CustomResource>;
  eventing: ReturnType<typeof eventing>;
  /** The public HTTPRoute; undefined without a configured Gateway. */
  routes: k8s.apiextensions.CustomResource | undefined;
}

/**
 * Composes the shared Kubernetes layer on a cluster that already runs Knative Serving and Eventing: namespace,
 * plain settings, migration Job, then the bus worker and one Knative Service per function (both after the
 * migration), then Triggers, PingSources and the public HTTPRoute (after the Services they address).
 *
 * @example
 * const platform = deployPlatform(settings, declaredTriggers(), kubernetesProvider(settings, kubeconfig));
 * platform.functions.get('identity');
 */
export function deployPlatform(settings: Settings, declarations: Declarations, provider: pulumi.ProviderResource): Platform {
  const namespace = new k8s.core.v1.Namespace(
    'namespace',
    {
      metadata: {
        name: settings.namespace,
        // Our containers meet `restricted`; Knative's injected queue-proxy meets it only with Serving's
        // secure-pod-defaults on, so enforce `baseline` and have the API server warn and audit on `restricted`.
        labels: {
          ...labels('namespace'),
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    },
    { provider },
  );
  const config = runtimeConfig(settings, { provider, dependsOn: [namespace] });
  const env = { secretName: settings.envSecret, configMapName: runtimeConfigName(settings) };
  const migration = migrationJob(settings, env, { provider, dependsOn: [namespace, config] });
  const worker = busWorker(settings, env, { provider, dependsOn: [migration] });
  const functions = functionServices(settings, declarations, { ...env, migration, migrationJobName: migrationJobName(settings, env) }, { provider });
  return {
    namespace,
    config,
    migration,
    worker,
    functions,
    eventing: eventing(settings, declarations, functions, { provider }),
    routes: publicRoutes(settings, declarations, functions, { provider }),
  };
}
