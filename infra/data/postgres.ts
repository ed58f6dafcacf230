/**
 * PostgreSQL 17, always reached through PgBouncer in transaction mode at `postgres-pooler:5432`: functions scale to
 * zero and back by the hundred, and each would otherwise hold its own server connections.
 *
 * - Managed (aws/azure/gcp): a PgBouncer Deployment in front of the cloud's instance.
 * - In cluster (onprem): the CloudNativePG operator, a `Cluster` on the PostgreSQL 17 image and a `Pooler`
 *   (pgbouncer, poolMode transaction) — both operator-managed, with failover and backups the operator's job.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { NAMESPACES, ROLES, SERVICES, roleLabel, serviceHost } from '../roles.ts';
import { versionsOf, type Settings } from '../settings.ts';
import type { ManagedDatabase } from '../targets/types.ts';
import { labels } from '../workload.ts';

/** The database, its owner and where the app connects (the pooler, never the server). */
export interface DatabaseConnection {
  url: pulumi.Output<string>;
  resources: pulumi.Resource[];
}

const POOL = { maxClientConn: 2000, defaultPoolSize: 20 };

/**
 * PgBouncer's settings for a managed server: transaction pooling, TLS to the server, SCRAM both ways.
 *
 * @example
 * pgbouncerEnv().find((e) => e.name === 'POOL_MODE')?.value; // 'transaction'
 */
export function pgbouncerEnv() {
  return [
    { name: 'POOL_MODE', value: 'transaction' },
    { name: 'AUTH_TYPE', value: 'scram-sha-256' },
    { name: 'SERVER_TLS_SSLMODE', value: 'require' },
    { name: 'MAX_CLIENT_CONN', value: String(POOL.maxClientConn) },
    { name: 'DEFAULT_POOL_SIZE', value: String(POOL.defaultPoolSize) },
    // The upstream URL (with its password) comes from a Secret, never from the pod spec.
    { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'postgres-upstream', key: 'DATABASE_URL' } } },
  ];
}

function pgbouncer(settings: Settings, db: ManagedDatabase, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const ns = settings.namespace;
  const selector = { ...labels(SERVICES.pooler), ...roleLabel(ROLES.pooler) };
  const upstream = new k8s.core.v1.Secret(
    'postgres-upstream',
    {
      metadata: { name: 'postgres-upstream', namespace: ns, labels: selector },
      stringData: { DATABASE_URL: pulumi.secret(pulumi.interpolate`postgres://${db.user}:${db.password}@${db.host}:${db.port}/${db.database}`) },
    },
    opts,
  );
  const deployment = new k8s.apps.v1.Deployment(
    'postgres-pooler',
    {
      metadata: { name: SERVICES.pooler, namespace: ns, labels: selector },
      spec: {
        replicas: settings.data.poolerInstances,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            containers: [
              {
                name: 'pgbouncer',
                image: versionsOf(settings).pgbouncerImage,
                ports: [{ name: 'postgres', containerPort: 5432 }],
                env: pgbouncerEnv(),
                readinessProbe: { tcpSocket: { port: 'postgres' }, periodSeconds: 5 },
                resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                // The image writes its config at start: a scratch volume there, the root stays read-only.
                volumeMounts: [{ name: 'config', mountPath: '/etc/pgbouncer' }],
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 70,
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
              },
            ],
            volumes: [{ name: 'config', emptyDir: {} }],
          },
        },
      },
    },
    { ...opts, dependsOn: [upstream, ...db.dependsOn] },
  );
  const service = new k8s.core.v1.Service(
    'postgres-pooler',
    { metadata: { name: SERVICES.pooler, namespace: ns, labels: selector }, spec: { selector, ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }] } },
    opts,
  );
  return [upstream, deployment, service];
}

/**
 * The CloudNativePG objects for PostgreSQL in the cluster: the operator release, the bootstrap credentials, the
 * `Cluster` and its `Pooler`.
 *
 * @example
 * cloudNativePg(settings, password, { provider }); // [release, secret, cluster, pooler]
 */
export function cloudNativePg(settings: Settings, password: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const ns = settings.namespace;
  const versions = versionsOf(settings);
  const operator = new k8s.helm.v3.Release(
    'cloudnative-pg',
    {
      name: 'cnpg',
      chart: 'cloudnative-pg',
      version: versions.cnpgChart,
      repositoryOpts: { repo: 'https://cloudnative-pg.github.io/charts' },
      namespace: NAMESPACES.cnpg,
      createNamespace: true,
    },
    opts,
  );
  const credentials = new k8s.core.v1.Secret(
    'postgres-app',
    {
      metadata: { name: 'postgres-app', namespace: ns, labels: labels('postgres') },
      type: 'kubernetes.io/basic-auth',
      stringData: { username: 'consilium', password },
    },
    opts,
  );
  const storage = { size: settings.data.postgresStorage, ...(settings.cluster.storageClass ? { storageClass: settings.cluster.storageClass } : {}) };
  const cluster = new k8s.apiextensions.CustomResource(
    'postgres',
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'postgres', namespace: ns, labels: labels('postgres') },
      spec: {
        instances: settings.data.postgresInstances,
        imageName: versions.postgresImage,
        inheritedMetadata: { labels: roleLabel(ROLES.postgres) },
        bootstrap: { initdb: { database: 'consilium', owner: 'consilium', secret: { name: 'postgres-app' } } },
        storage,
        // A replica must confirm each commit before it is reported: an acknowledged write survives a failover.
        minSyncReplicas: settings.data.postgresInstances > 1 ? 1 : 0,
        maxSyncReplicas: settings.data.postgresInstances > 1 ? 1 : 0,
        monitoring: { enablePodMonitor: true },
      },
    },
    { ...opts, dependsOn: [operator, credentials] },
  );
  const pooler = new k8s.apiextensions.CustomResource(
    'postgres-pooler',
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Pooler',
      metadata: { name: SERVICES.pooler, namespace: ns, labels: labels(SERVICES.pooler) },
      spec: {
        cluster: { name: 'postgres' },
        instances: settings.data.poolerInstances,
        type: 'rw',
        template: { metadata: { labels: roleLabel(ROLES.pooler) }, spec: { containers: [] } },
        pgbouncer: { poolMode: 'transaction', parameters: { max_client_conn: String(POOL.maxClientConn), default_pool_size: String(POOL.defaultPoolSize) } },
      },
    },
    { ...opts, dependsOn: [cluster] },
  );
  return [operator, credentials, cluster, pooler];
}

/**
 * PostgreSQL for the stack: the managed instance behind PgBouncer, or CloudNativePG. Either way the app's
 * `DATABASE_URL` names the pooler.
 *
 * @example
 * const { url } = postgres(settings, target.database, secretPassword(seed, 'postgres'), { provider });
 */
export function postgres(settings: Settings, managed: ManagedDatabase | undefined, password: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): DatabaseConnection {
  const host = serviceHost(settings.namespace, SERVICES.pooler);
  if (managed) {
    return { url: pulumi.secret(pulumi.interpolate`postgres://${managed.user}:${managed.password}@${host}:5432/${managed.database}`), resources: pgbouncer(settings, managed, opts) };
  }
  return { url: pulumi.secret(pulumi.interpolate`postgres://consilium:${password}@${host}:5432/consilium`), resources: cloudNativePg(settings, password, opts) };
}
