import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1';
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { functionNames, type Declarations } from './declarations.ts';
import { ROLES, roleLabel } from './roles.ts';
import { sizeOf, type Settings } from './settings.ts';
import { bundleCommand, clusterCa, containerSecurity, envFrom, labels, podDefaults } from './workload.ts';

/** Names the migration Job a revision was made after; a new Job (new image) therefore means a new revision. */
export const MIGRATION_ANNOTATION = 'consilium.dev/migration';

/** Resolved inputs of one function's Knative Service (plain values, so the typed model can validate them). */
export interface FunctionServiceInput {
  name: string;
  settings: Settings;
  declarations: Declarations;
  secretName: string;
  configMapName: string;
  dataSecretName?: string;
  migrationJob: string;
}

/**
 * The Knative Service of one function, as a validated `@kubernetes-models/knative` object: scale to zero, the
 * function's bundle as command, probes on the shared health routes, hardened container, settings from the Secret
 * and the ConfigMap. A function no HTTP prefix names is cluster-local: only events and cron ticks reach it.
 *
 * @example
 * const service = functionService({ name: 'identity', settings, declarations, secretName, configMapName, migrationJob });
 * service.toJSON().spec?.template?.metadata?.annotations?.['autoscaling.knative.dev/min-scale']; // '0'
 */
export function functionService(input: FunctionServiceInput): Service {
  const { name, settings } = input;
  const size = sizeOf(settings, name);
  const ca = clusterCa();
  const service = new Service({
    metadata: functionMetadata(name, settings, input.declarations),
    spec: {
      template: {
        metadata: {
          labels: { ...labels(name), ...roleLabel(ROLES.function) },
          annotations: {
            'autoscaling.knative.dev/min-scale': String(size.minScale),
            'autoscaling.knative.dev/max-scale': String(size.maxScale),
            [MIGRATION_ANNOTATION]: input.migrationJob,
          },
        },
        spec: {
          ...podDefaults(),
          containerConcurrency: size.containerConcurrency,
          volumes: [ca.volume],
          timeoutSeconds: size.timeoutSeconds,
          containers: [
            {
              name,
              image: settings.image,
              command: bundleCommand(`functions/${name}`),
              // Knative sets PORT (reserved) to this port; serveApp listens on $PORT.
              ports: [{ name: 'http1', containerPort: 8080 }],
              env: [{ name: 'OTEL_SERVICE_NAME', value: name }, ca.env],
              volumeMounts: [ca.mount],
              envFrom: envFrom(input),
              // No periodSeconds: Knative then probes aggressively, which shortens a cold start.
              readinessProbe: { httpGet: { path: '/readyz' } },
              livenessProbe: { httpGet: { path: '/healthz' }, periodSeconds: 20, failureThreshold: 3 },
              resources: {
                requests: { cpu: size.cpu, memory: size.memory },
                limits: { cpu: size.cpuLimit, memory: size.memory },
              },
              securityContext: containerSecurity(),
            },
          ],
        },
      },
    },
  });
  service.validate();
  return service;
}

/**
 * A function Service's name, namespace and labels; known before anything is deployed (so previews show them).
 *
 * @example
 * functionMetadata('documents', settings, declarations).labels?.['networking.knative.dev/visibility']; // 'cluster-local'
 */
export function functionMetadata(name: string, settings: Settings, declarations: Declarations) {
  const isPublic = declarations.http.some((t) => t.function === name);
  return {
    name,
    namespace: settings.namespace,
    labels: { ...labels(name), ...(isPublic ? {} : { 'networking.knative.dev/visibility': 'cluster-local' }) },
  };
}

/** What the function Services need from the rest of the stack. */
export interface FunctionDeps {
  secretName: string;
  configMapName: string;
  dataSecretName?: string;
  /** Functions wait for it: no revision runs on a schema it does not know. */
  migration: k8s.batch.v1.Job;
  migrationJobName: string;
}

/**
 * One Knative Service per function the triggers declare — generated, never hand-listed. Each is validated against
 * the Knative schema while the program runs, so a bad manifest fails `pulumi preview`, not the cluster.
 *
 * @example
 * const services = functionServices(settings, declaredTriggers(), { secretName, configMapName, migration, migrationJobName }, { provider });
 * services.get('identity');
 */
export function functionServices(
  settings: Settings,
  declarations: Declarations,
  deps: FunctionDeps,
  opts: pulumi.CustomResourceOptions,
): Map<string, k8s.apiextensions.CustomResource> {
  const names = functionNames(declarations);
  const unknown = Object.keys(settings.functionSizes).filter((n) => !names.includes(n));
  if (unknown.length) throw new Error(`functionSizes: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a declared function`);
  const services = new Map<string, k8s.apiextensions.CustomResource>();
  for (const name of names) {
    const { secretName, configMapName, dataSecretName, migrationJobName: migrationJob } = deps;
    const service = functionService({ name, settings, declarations, secretName, configMapName, ...(dataSecretName ? { dataSecretName } : {}), migrationJob });
    services.set(
      name,
      new k8s.apiextensions.CustomResource(`function-${name}`, service.toJSON() as k8s.apiextensions.CustomResourceArgs, {
        ...opts,
        dependsOn: [deps.migration],
      }),
    );
  }
  return services;
}
