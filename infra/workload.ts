/**
 * What every container of the platform shares: the same image, the same hardening and the same two sources of
 * settings. Kept in one place so a function, the bus worker and the migration Job cannot drift apart.
 */

/** Where a workload's settings come from: the credentials Secret and the plain ConfigMap. */
export interface EnvSources {
  /** The existing Secret with DATABASE_URL, NATS_URL, PLATFORM_SECRET and the other credentials. */
  secretName: string;
  /** The ConfigMap of plain settings (its name changes with its content). */
  configMapName: string;
  /** The Secret this program writes the data services' addresses into (absent when they are not managed here). */
  dataSecretName?: string;
}

/** The uid/gid of the `node` user in the official Node images; numeric so the kubelet can verify non-root. */
export const RUN_AS_USER = 1000;

/**
 * Container hardening: non-root, read-only root filesystem, no privilege escalation, no capabilities, the runtime's
 * default seccomp profile. Every field here is one Knative Serving accepts in a Service's container.
 *
 * @example
 * const container = { name: 'app', image, securityContext: containerSecurity() };
 */
export function containerSecurity() {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * `envFrom` for a container: the operator's Secret, the data services' Secret, then the ConfigMap. Settings
 * validation refuses credential names in the ConfigMap, and the operator's Secret holds none of the data keys.
 *
 * @example
 * const container = { envFrom: envFrom({ secretName: 'consilium-env', dataSecretName: 'consilium-data', configMapName }) };
 */
export function envFrom(sources: EnvSources) {
  return [
    { secretRef: { name: sources.secretName } },
    ...(sources.dataSecretName ? [{ secretRef: { name: sources.dataSecretName } }] : []),
    { configMapRef: { name: sources.configMapName } },
  ];
}

/**
 * The pod-level settings every workload shares: no Kubernetes API token (nothing here talks to the API server) and
 * no service-link variables (which would flood the environment and could shadow settings such as `NATS_URL`).
 *
 * @example
 * const podSpec = { ...podDefaults(), containers: [container] };
 */
export function podDefaults() {
  return { automountServiceAccountToken: false, enableServiceLinks: false };
}

/**
 * The command that starts one bundle of the image built by `npm run build` (`triggers/build.ts`).
 *
 * @example
 * bundleCommand('functions/identity'); // ['node', 'dist/functions/identity.mjs']
 */
export function bundleCommand(bundle: string): string[] {
  return ['node', `dist/${bundle}.mjs`];
}

/**
 * Labels that tie every object to the app and its part, so `kubectl get all -l app.kubernetes.io/part-of=consilium`
 * finds them.
 *
 * @example
 * labels('bus-worker'); // { 'app.kubernetes.io/name': 'bus-worker', 'app.kubernetes.io/part-of': 'consilium', … }
 */
export function labels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': 'consilium', 'app.kubernetes.io/managed-by': 'pulumi' };
}

/** Where the cluster's root CA is mounted for OIDC verification (the API server's JWKS is served with it). */
const CLUSTER_CA_DIR = '/var/run/consilium/cluster-ca';

/**
 * The cluster's CA (`kube-root-ca.crt`, present in every namespace) as an extra trusted root for Node: functions
 * and the worker fetch the service-account issuer's keys from the API server without mounting an API token.
 *
 * @example
 * const { volume, mount, env } = clusterCa();
 */
export function clusterCa() {
  return {
    volume: { name: 'cluster-ca', configMap: { name: 'kube-root-ca.crt' } },
    mount: { name: 'cluster-ca', mountPath: CLUSTER_CA_DIR, readOnly: true },
    env: { name: 'NODE_EXTRA_CA_CERTS', value: `${CLUSTER_CA_DIR}/ca.crt` },
  };
}
