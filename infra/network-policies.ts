/**
 * NetworkPolicies for the app namespace: everything denied, then each kind of pod allowed exactly its peers. A
 * function reaches the pooler, the OTel collector and DNS, plus the Redis bridge, object storage or the outside
 * only when its code uses them (usage.ts reads its imports). `/_events` and `/_cron` stay cluster-local twice
 * over: the public HTTPRoute routes declared prefixes only, and function pods accept traffic only from Knative's
 * gateways, the activator and the bus worker.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { functionNames, type Declarations } from './declarations.ts';
import { NAMESPACES, ROLES, roleLabel, type Role } from './roles.ts';
import type { Settings } from './settings.ts';
import { functionUsage, type FunctionUsage } from './usage.ts';
import { labels } from './workload.ts';

type Peer = Record<string, unknown>;
interface Rule {
  peers: Peer[];
  ports?: number[];
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];
const role = (r: Role): Peer => ({ podSelector: { matchLabels: roleLabel(r) } });
const inNamespace = (ns: string, podLabels?: Record<string, string>): Peer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
});
const outside = (settings: Settings): Peer[] => settings.externalEgress.map((cidr) => ({ ipBlock: { cidr, ...(cidr.endsWith('/0') ? { except: PRIVATE } : {}) } }));
const anywhere: Peer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }];

/** What the shared layer tells the policies about where things run. */
export interface PolicyContext {
  /** Postgres runs in the cluster (CloudNativePG) rather than as a managed server. */
  postgresInCluster: boolean;
  /** Object storage runs in the cluster (MinIO). */
  objectStorageInCluster: boolean;
  /** The OIDC issuer's keys are served outside the cluster (cloud issuers): verifiers need HTTPS out. */
  issuerOutside: boolean;
  /** Overrides function usage (tests); read from the code otherwise. */
  usage?: (fn: string) => FunctionUsage;
}

function rules(list: Rule[]) {
  return list.map((r) => ({ ...(r.peers.length ? { peers: r.peers } : {}), ...(r.ports ? { ports: r.ports.flatMap((port) => (port === 53 ? ['UDP', 'TCP'] : ['TCP']).map((protocol) => ({ protocol, port }))) } : {}) }));
}

function policy(settings: Settings, name: string, podSelector: Record<string, string>, ingress: Rule[] | undefined, egress: Rule[] | undefined) {
  const from = ingress && rules(ingress).map(({ peers, ports }) => ({ ...(peers ? { from: peers } : {}), ...(ports ? { ports } : {}) }));
  const to = egress && rules(egress).map(({ peers, ports }) => ({ ...(peers ? { to: peers } : {}), ...(ports ? { ports } : {}) }));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: settings.namespace, labels: labels('network-policy') },
    spec: {
      podSelector: { matchLabels: podSelector },
      policyTypes: [...(from ? ['Ingress'] : []), ...(to ? ['Egress'] : [])],
      ...(from ? { ingress: from } : {}),
      ...(to ? { egress: to } : {}),
    },
  };
}

/**
 * Every NetworkPolicy of the namespace as plain objects (the Pulumi program and `npm run manifests` both use them).
 *
 * @example
 * networkPolicies(settings, declaredTriggers(), { postgresInCluster: true, objectStorageInCluster: true, issuerOutside: false });
 */
export function networkPolicies(settings: Settings, declarations: Declarations, ctx: PolicyContext) {
  const telemetry: Rule = { peers: [inNamespace(NAMESPACES.observability)], ports: [4318] };
  const pooler: Rule = { peers: [role(ROLES.pooler)], ports: [5432] };
  const apiServer: Rule = { peers: settings.apiServerCidr ? [{ ipBlock: { cidr: settings.apiServerCidr } }] : anywhere, ports: [443, 6443] };
  const issuer: Rule[] = ctx.issuerOutside ? [{ peers: outside(settings), ports: [443] }] : [apiServer];
  const objectStorage: Rule = ctx.objectStorageInCluster ? { peers: [role(ROLES.objectStorage)], ports: [9000] } : { peers: outside(settings), ports: [443] };
  const knativeIn: Rule = { peers: [inNamespace(NAMESPACES.knativeServing), inNamespace(NAMESPACES.kourier), role(ROLES.worker), inNamespace(NAMESPACES.observability)] };
  const usageOf = ctx.usage ?? ((fn: string) => functionUsage(fn));

  const functions = functionNames(declarations).map((fn) => {
    const use = usageOf(fn);
    const egress: Rule[] = [pooler, telemetry, ...issuer];
    if (use.redis) egress.push({ peers: [role(ROLES.redisHttp)], ports: [80] });
    if (use.objectStorage) egress.push(objectStorage);
    if (use.external || settings.externalFunctions.includes(fn)) egress.push({ peers: outside(settings), ports: [443, 465, 587] });
    return policy(settings, `function-${fn}`, { 'serving.knative.dev/service': fn }, [knativeIn], egress);
  });
  const postgresPeers = ctx.postgresInCluster ? [role(ROLES.postgres)] : anywhere;
  return [
    // Nothing in, nothing out, unless a policy below says so; DNS for everyone.
    policy(settings, 'default-deny', {}, [], [{ peers: [inNamespace('kube-system', { 'k8s-app': 'kube-dns' })], ports: [53] }]),
    ...functions,
    policy(
      settings,
      'bus-worker',
      roleLabel(ROLES.worker),
      [{ peers: [inNamespace(NAMESPACES.knativeEventing), inNamespace(NAMESPACES.observability)], ports: [8080] }],
      [pooler, telemetry, ...issuer, { peers: [role(ROLES.nats)], ports: [4222] }, { peers: [inNamespace(NAMESPACES.knativeEventing), inNamespace(NAMESPACES.kourier), inNamespace(NAMESPACES.knativeServing)] }],
    ),
    policy(settings, 'migrate', roleLabel(ROLES.migrate), [], [pooler, ...(ctx.objectStorageInCluster ? [objectStorage] : [])]),
    policy(settings, 'db-pooler', roleLabel(ROLES.pooler), [{ peers: [role(ROLES.function), role(ROLES.worker), role(ROLES.migrate)], ports: [5432] }], [
      { peers: postgresPeers, ports: [5432] },
      ...(ctx.postgresInCluster ? [apiServer] : []),
    ]),
    ...(ctx.postgresInCluster
      ? [
          policy(
            settings,
            'postgres',
            roleLabel(ROLES.postgres),
            [{ peers: [role(ROLES.pooler), role(ROLES.postgres)], ports: [5432] }, { peers: [inNamespace(NAMESPACES.cnpg), inNamespace(NAMESPACES.observability)], ports: [8000, 9187] }],
            [{ peers: [role(ROLES.postgres)], ports: [5432] }, apiServer],
          ),
        ]
      : []),
    policy(
      settings,
      'nats',
      roleLabel(ROLES.nats),
      [{ peers: [role(ROLES.worker), inNamespace(NAMESPACES.knativeEventing)], ports: [4222] }, { peers: [role(ROLES.nats)], ports: [6222, 4222] }],
      [{ peers: [role(ROLES.nats)], ports: [6222, 4222] }],
    ),
    policy(settings, 'redis', roleLabel(ROLES.redis), [{ peers: [role(ROLES.redisHttp)], ports: [6379] }], []),
    policy(settings, 'redis-http', roleLabel(ROLES.redisHttp), [{ peers: [role(ROLES.function)], ports: [80] }], [{ peers: [role(ROLES.redis)], ports: [6379] }]),
    ...(ctx.objectStorageInCluster
      ? [policy(settings, 'object-storage', roleLabel(ROLES.objectStorage), [{ peers: [role(ROLES.function), role(ROLES.migrate)], ports: [9000] }], [])]
      : []),
  ];
}

/**
 * Declares {@link networkPolicies} on the cluster.
 *
 * @example
 * networkPolicyResources(settings, declarations, ctx, { provider, dependsOn: [namespace] });
 */
export function networkPolicyResources(settings: Settings, declarations: Declarations, ctx: PolicyContext, opts: pulumi.CustomResourceOptions): k8s.networking.v1.NetworkPolicy[] {
  return networkPolicies(settings, declarations, ctx).map(
    (p) => new k8s.networking.v1.NetworkPolicy(`netpol-${p.metadata.name}`, p as unknown as k8s.networking.v1.NetworkPolicyArgs, opts),
  );
}
