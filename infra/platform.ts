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

/** What the layers below (cluster add-ons, data services) hand the app platform. */
export interface PlatformDeps {
  /** The Secret with the data services' settings; none when the operator provides all of them in `envSecret`. */
  dataSecretName?: string;
  /** The namespace, when made before the platform (the data services live in it too). */
  namespace?: k8s.core.v1.Namespace;
  /** Resources the migration (and so everything after it) waits for: the data services, Knative's CRDs. */
  dependsOn?: pulumi.Resource[];
}

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
 * Composes the app layer (on a cluster with Knative Serving and Eventing, see stack.ts): namespace,
 * plain settings, migration Job, then the bus worker and one Knative Service per function (both after the
 * migration), then Triggers, PingSources and the public HTTPRoute (after the Services they address).
 *
 * @example
 * const platform = deployPlatform(settings, declaredTriggers(), target.provider, { namespace, dataSecretName, dependsOn });
 * platform.functions.get('identity');
 */
export function deployPlatform(settings: Settings, declarations: Declarations, provider: pulumi.ProviderResource, deps: PlatformDeps = {}): Platform {
  const namespace = deps.namespace ?? appNamespace(settings, { provider });
  const config = runtimeConfig(settings, { provider, dependsOn: [namespace] });
  const env = {
    secretName: settings.envSecret,
    configMapName: runtimeConfigName(settings),
    ...(deps.dataSecretName ? { dataSecretName: deps.dataSecretName } : {}),
  };
  const migration = migrationJob(settings, env, { provider, dependsOn: [namespace, config, ...(deps.dependsOn ?? [])] });
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

/**
 * The app namespace. Our containers meet Pod Security `restricted`; Knative's injected queue-proxy meets it only
 * with Serving's secure-pod-defaults on, so `baseline` is enforced and the API server warns and audits on
 * `restricted`.
 *
 * @example
 * const namespace = appNamespace(settings, { provider });
 */
export function appNamespace(settings: Settings, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    'namespace',
    {
      metadata: {
        name: settings.namespace,
        labels: {
          ...labels('namespace'),
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    },
    opts,
  );
}
