/**
 * The role label every pod of the stack carries, so NetworkPolicies can say "functions may reach the pooler"
 * without knowing which chart or operator made the pods.
 */
export const ROLE_LABEL = 'consilium.dev/role';

/** The roles, one per kind of pod. */
export const ROLES = {
  function: 'function',
  worker: 'bus-worker',
  migrate: 'migrate',
  pooler: 'db-pooler',
  postgres: 'postgres',
  nats: 'nats',
  redis: 'redis',
  redisHttp: 'redis-http',
  objectStorage: 'object-storage',
} as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[keyof typeof ROLES];

/**
 * The label map for a role.
 *
 * @example
 * roleLabel('db-pooler'); // { 'consilium.dev/role': 'db-pooler' }
 */
export function roleLabel(role: Role): Record<string, string> {
  return { [ROLE_LABEL]: role };
}

/** Where the shared layer puts its cluster-wide parts; fixed names, as their charts and release files expect. */
export const NAMESPACES = {
  knativeServing: 'knative-serving',
  knativeEventing: 'knative-eventing',
  kourier: 'kourier-system',
  certManager: 'cert-manager',
  gateway: 'envoy-gateway-system',
  observability: 'observability',
  cnpg: 'cnpg-system',
} as const;

/**
 * In-namespace service addresses (fixed, so the data Secret, the ConfigMap and the policies agree).
 *
 * @example
 * serviceHost('consilium', 'nats'); // 'nats.consilium.svc.cluster.local'
 */
export function serviceHost(namespace: string, service: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The Services the data layer creates in the app namespace. */
export const SERVICES = { pooler: 'postgres-pooler', nats: 'nats', redis: 'redis', redisHttp: 'redis-http', minio: 'minio', worker: 'bus-worker' } as const;
