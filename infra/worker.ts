import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Settings } from './settings.ts';
import { bundleCommand, containerSecurity, envFrom, labels, podDefaults, type EnvSources } from './workload.ts';

/** The port the worker's health endpoints listen on (`PORT`; Knative sets it for functions, here we do). */
const WORKER_PORT = 8080;

/**
 * The bus worker (`triggers/worker/main.ts`): the one always-on Deployment. It relays every function's outbox to
 * JetStream and hands out queued deliveries and replays, so it must not scale to zero — a plain Deployment, not a
 * Knative Service. It reads NATS_URL, DATABASE_URL and PLATFORM_SECRET from the Secret and FUNCTION_URL_TEMPLATE
 * from the ConfigMap.
 *
 * @example
 * const worker = busWorker(settings, env, { provider, dependsOn: [migration] });
 */
export function busWorker(settings: Settings, env: EnvSources, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
  const selector = labels('bus-worker');
  return new k8s.apps.v1.Deployment(
    'bus-worker',
    {
      metadata: { name: 'bus-worker', namespace: settings.namespace, labels: selector },
      spec: {
        replicas: settings.workerReplicas,
        selector: { matchLabels: selector },
        // Every pass claims rows with SKIP LOCKED or a lease, so old and new pods may overlap during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: selector },
          spec: {
            ...podDefaults(),
            // Long enough for serveApp's SIGTERM drain to stop the loops and close NATS and the pool.
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'bus-worker',
                image: settings.image,
                command: bundleCommand('bus-worker'),
                ports: [{ name: 'http', containerPort: WORKER_PORT }],
                env: [
                  { name: 'PORT', value: String(WORKER_PORT) },
                  { name: 'OTEL_SERVICE_NAME', value: 'bus-worker' },
                ],
                envFrom: envFrom(env),
                readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 20, failureThreshold: 3 },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                securityContext: containerSecurity(),
              },
            ],
          },
        },
      },
    },
    opts,
  );
}
