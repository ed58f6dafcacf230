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
 * `envFrom` for a container: the Secret first, then the ConfigMap. Settings validation refuses credential names in
 * the ConfigMap, so the two never name the same key.
 *
 * @example
 * const container = { envFrom: envFrom({ secretName: 'consilium-env', configMapName: runtimeConfigName(settings) }) };
 */
export function envFrom(sources: EnvSources) {
  return [{ secretRef: { name: sources.secretName } }, { configMapRef: { name: sources.configMapName } }];
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
