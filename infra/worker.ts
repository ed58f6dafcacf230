import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { NAMESPACES, ROLES, SERVICES, roleLabel, serviceHost } from './roles.ts';
import type { Settings } from './settings.ts';
import { bundleCommand, clusterCa, containerSecurity, envFrom, labels, podDefaults, type EnvSources } from './workload.ts';

/** The port the worker's health endpoints listen on (`PORT`; Knative sets it for functions, here we do). */
const WORKER_PORT = 8080;
/** Where the projected service-account token for the Broker's ingress is mounted (rotated by the kubelet). */
export const BROKER_TOKEN_FILE = '/var/run/secrets/consilium/broker/token';

/**
 * The Broker's ingress address, where the worker publishes every relayed event (the JetStream → Broker bridge).
 *
 * @example
 * brokerUrl(settings); // 'http://broker-ingress.knative-eventing.svc.cluster.local/consilium/default'
 */
export function brokerUrl(settings: Settings): string {
  return `http://${serviceHost(NAMESPACES.knativeEventing, 'broker-ingress')}/${settings.namespace}/${settings.broker}`;
}

/**
 * The OIDC audience of the namespace's Broker: the projected token the worker presents to its ingress.
 *
 * @example
 * brokerAudience(settings); // 'eventing.knative.dev/broker/consilium/default'
 */
export function brokerAudience(settings: Settings): string {
  return `eventing.knative.dev/broker/${settings.namespace}/${settings.broker}`;
}

/** The audience Knative's dispatchers use for the worker's dead-letter endpoint. */
export const DEAD_LETTER_AUDIENCE = 'bus-worker';

/**
 * The worker's dead-letter endpoint: every Trigger's last resort (Knative POSTs the failed event there, the worker
 * parks it in bus.dead_letters for `npm run ops -- dead-letters`).
 *
 * @example
 * deadLetterUri(settings); // 'http://bus-worker.consilium.svc.cluster.local/_dead-letters'
 */
export function deadLetterUri(settings: Settings): string {
  return `http://${serviceHost(settings.namespace, SERVICES.worker)}/_dead-letters`;
}

/**
 * The bus worker (`triggers/worker/main.ts`): the one always-on Deployment. It relays every function's outbox to
 * JetStream, bridges JetStream to the Broker (BUS_BROKER_URL), parks Knative's dead letters and hands out replays,
 * so it must not scale to zero — a plain Deployment, not a Knative Service.
 *
 * @example
 * const worker = busWorker(settings, env, { provider, dependsOn: [migration] });
 */
export function busWorker(settings: Settings, env: EnvSources, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
  const selector = labels('bus-worker');
  // Knative's dispatchers reach the dead-letter endpoint through this Service.
  new k8s.core.v1.Service(
    'bus-worker',
    {
      metadata: { name: SERVICES.worker, namespace: settings.namespace, labels: selector },
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    opts,
  );
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
          metadata: { labels: { ...selector, ...roleLabel(ROLES.worker) } },
          spec: {
            ...podDefaults(),
            // Not the API token (that stays unmounted): a short-lived token only the Broker's ingress accepts.
            volumes: [
              clusterCa().volume,
              {
                name: 'broker-token',
                projected: { sources: [{ serviceAccountToken: { audience: brokerAudience(settings), expirationSeconds: 3600, path: 'token' } }] },
              },
            ],
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
                  { name: 'BUS_BROKER_TOKEN_FILE', value: BROKER_TOKEN_FILE },
                  clusterCa().env,
                ],
                volumeMounts: [clusterCa().mount, { name: 'broker-token', mountPath: BROKER_TOKEN_FILE.replace(/\/token$/, ''), readOnly: true }],
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
