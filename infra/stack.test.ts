import * as pulumi from '@pulumi/pulumi';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredTriggers, functionNames, type Declarations } from './declarations.ts';
import { parseSettings, type Settings } from './settings.ts';
import { deployStack } from './stack.ts';
import { clusterTarget } from './targets/index.ts';
import { assertWellFormed, baseConfig, byType, fixture, mockRuntime, named, quiet, T, validateKnative, type Registered } from './testing.ts';

// Every target, the whole stack, against Pulumi's runtime mocks: no cloud, no cluster, no CLI.

const TARGET_CONFIG: Record<string, Record<string, unknown>> = {
  aws: { cluster: { subnetIds: ['subnet-a', 'subnet-b'], region: 'eu-central-1' } },
  azure: { cluster: { region: 'westeurope' } },
  gcp: { cluster: { project: 'consilium-prod', region: 'europe-west3' } },
  onprem: {},
};

async function deployTarget(target: string, declarations: Declarations = fixture, extra: Record<string, unknown> = {}) {
  const registered = await mockRuntime();
  const settings = parseSettings({ ...baseConfig, target, ...TARGET_CONFIG[target], ...extra });
  const seed = pulumi.secret('planted-seed-value');
  deployStack(settings, declarations, clusterTarget(settings, { dataSeed: seed, kubeconfig: pulumi.secret('apiVersion: v1') }), seed);
  await quiet(registered);
  return { registered, settings };
}

const kubernetes = (registered: Registered[]) => registered.filter((r) => r.type.startsWith('kubernetes:'));
const release = (registered: Registered[], chart: string) => {
  const found = byType(registered, T.HELM).filter((r) => r.inputs.chart === chart || r.inputs.chart.endsWith(`/${chart}`));
  assert.equal(found.length, 1, `one ${chart} release`);
  assert.match(found[0]!.inputs.version, /^v?\d+\.\d+\.\d+$/, `${chart} is pinned`);
  return found[0]!;
};
const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

/** What every target shares: the layer above the cluster. */
function assertSharedLayer(registered: Registered[], settings: Settings, declarations: Declarations): void {
  // Knative Serving, Eventing and the JetStream channel, from pinned release files.
  const files = byType(registered, T.CONFIG_FILE).map((r) => r.inputs.file as string);
  for (const part of ['serving/releases/download/knative-v', 'net-kourier', 'eventing/releases/download/knative-v', 'mt-channel-broker', 'eventing-natss/releases/download/knative-v']) {
    assert.ok(files.some((f) => f.includes(part)), `installs ${part}`);
  }
  const features = byType(registered, 'kubernetes:core/v1:ConfigMapPatch').find((r) => r.inputs.metadata.namespace === 'knative-eventing' && r.inputs.metadata.name === 'config-features');
  assert.equal(features?.inputs.data['authentication-oidc'], 'enabled');

  // NATS JetStream: 3 replicas on file storage.
  const nats = release(registered, 'nats').inputs.values.config;
  assert.equal(nats.cluster.replicas, 3);
  assert.equal(nats.jetstream.enabled, true);
  assert.equal(nats.jetstream.fileStore.enabled, true);
  assert.equal(nats.jetstream.memoryStore.enabled, false);

  // Redis with the Upstash REST bridge in front.
  assert.match(named(registered, T.STATEFUL_SET, 'redis').inputs.spec.template.spec.containers[0].image, /^redis:7/);
  const bridge = named(registered, T.DEPLOYMENT, 'redis-http').inputs.spec.template.spec.containers[0];
  assert.match(bridge.image, /^hiett\/serverless-redis-http:/);
  assert.equal(envOf(bridge).SRH_MODE, 'env');

  // Ingress, certificates, observability.
  release(registered, 'cert-manager');
  release(registered, 'gateway-helm');
  const issuer = one(registered, 'kubernetes:cert-manager.io/v1:ClusterIssuer');
  assert.equal(issuer.inputs.spec.acme.email, 'ops@example.com');
  assert.equal(release(registered, 'kube-prometheus-stack').inputs.values.grafana.admin.existingSecret, 'grafana-admin');
  assert.ok(release(registered, 'opentelemetry-collector').inputs.values.config.connectors.spanmetrics);
  const boards = byType(registered, T.CONFIG_MAP).filter((c) => c.inputs.metadata.labels?.grafana_dashboard === '1');
  assert.deepEqual(boards.map((b) => Object.keys(b.inputs.data)[0]).sort(), ['bus.json', 'business.json', 'red.json', 'stages.json']);
  const red = JSON.parse(boards.find((b) => b.inputs.data['red.json'])!.inputs.data['red.json']);
  for (const fn of functionNames(declarations)) assert.ok(red.panels.some((p: any) => p.title.startsWith(`${fn}:`)), `RED panels for ${fn}`);
  const rules = one(registered, 'kubernetes:monitoring.coreos.com/v1:PrometheusRule').inputs.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
  for (const fn of functionNames(declarations)) assert.ok(rules.includes(`FunctionErrorRatio_${fn}`));
  for (const { function: fn } of declarations.events) assert.ok(rules.includes(`DeadLetters_${fn}`));

  // NetworkPolicies: deny by default, one per function.
  const policies = byType(registered, T.NETWORK_POLICY).map((p) => p.inputs);
  const deny = policies.find((p) => p.metadata.name === 'default-deny');
  assert.deepEqual(deny.spec.podSelector, { matchLabels: {} });
  assert.deepEqual(deny.spec.ingress, []);
  for (const fn of functionNames(declarations)) {
    const policy = policies.find((p) => p.metadata.name === `function-${fn}`);
    assert.ok(policy, `a NetworkPolicy for ${fn}`);
    assert.equal(policy.spec.podSelector.matchLabels['serving.knative.dev/service'], fn);
    assert.ok(policy.spec.egress.some((e: any) => e.to?.[0]?.podSelector?.matchLabels?.['consilium.dev/role'] === 'db-pooler'));
  }

  // The app: a Service per function, an object per declaration, nothing extra; workloads read the data Secret.
  assert.deepEqual(byType(registered, T.SERVICE).map((s) => s.inputs.metadata.name).sort(), functionNames(declarations));
  assert.equal(byType(registered, T.TRIGGER).length, declarations.events.length);
  assert.equal(byType(registered, T.PING).length, declarations.cron.length);
  const worker = named(registered, T.DEPLOYMENT, 'bus-worker').inputs.spec.template.spec.containers[0];
  assert.ok(worker.envFrom.some((e: any) => e.secretRef?.name === 'consilium-data'));
  const data = named(registered, T.SECRET, 'consilium-data').inputs.stringData;
  assert.match(data.DATABASE_URL, new RegExp(`@postgres-pooler\\.${settings.namespace}\\.svc\\.cluster\\.local:5432/`));
  assert.equal(data.NATS_URL, `nats://nats.${settings.namespace}.svc.cluster.local:4222`);
  assert.equal(data.UPSTASH_REDIS_REST_URL, `http://redis-http.${settings.namespace}.svc.cluster.local`);

  // Nothing of a kind the stack is not meant to make.
  const kinds = new Set(kubernetes(registered).map((r) => r.type.replace(/^kubernetes:[^:]+:/, '')));
  const expected = ['ConfigFile', 'Release', 'Namespace', 'ConfigMap', 'ConfigMapPatch', 'Secret', 'Service', 'Deployment', 'StatefulSet', 'Job'];
  expected.push('NetworkPolicy', 'Broker', 'Trigger', 'PingSource', 'HTTPRoute', 'ReferenceGrant', 'Gateway', 'GatewayClass', 'ClusterIssuer');
  expected.push('PrometheusRule', 'Cluster', 'Pooler', 'ClusterRoleBinding');
  for (const kind of kinds) assert.ok(expected.includes(kind), `unexpected ${kind}`);
  for (const r of kubernetes(registered)) {
    if (/knative\.dev/.test(r.type)) validateKnative(r);
    if (!/helm\.sh|yaml\/v2/.test(r.type)) assertWellFormed(r);
  }
  const provider = one(registered, 'pulumi:providers:kubernetes');
  for (const r of kubernetes(registered)) assert.match(r.provider, new RegExp(`::${provider.name}::`), `${r.type} ${r.name} uses the target's cluster`);
}

const one = (registered: Registered[], type: string) => {
  const found = byType(registered, type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0]!;
};

/** PgBouncer in transaction mode in front of a managed server. */
function assertPgBouncer(registered: Registered[]): void {
  const pooler = named(registered, T.DEPLOYMENT, 'postgres-pooler').inputs.spec.template.spec.containers[0];
  assert.equal(envOf(pooler).POOL_MODE, 'transaction');
  assert.deepEqual(envOf(pooler).DATABASE_URL, { secretKeyRef: { name: 'postgres-upstream', key: 'DATABASE_URL' } });
  assert.equal(byType(registered, 'kubernetes:postgresql.cnpg.io/v1:Cluster').length, 0);
}

const minio = (registered: Registered[]) => byType(registered, T.STATEFUL_SET).filter((s) => s.inputs.metadata.name === 'minio');

describe('targets', () => {
  it('aws: EKS with node group and IAM roles, RDS PostgreSQL 17 behind PgBouncer, an S3 bucket', async () => {
    const { registered, settings } = await deployTarget('aws');
    const cluster = one(registered, 'aws:eks/cluster:Cluster');
    assert.deepEqual(cluster.inputs.vpcConfig.subnetIds, ['subnet-a', 'subnet-b']);
    assert.equal(one(registered, 'aws:eks/nodeGroup:NodeGroup').inputs.scalingConfig.desiredSize, 3);
    assert.equal(byType(registered, 'aws:iam/role:Role').length, 2);
    const db = one(registered, 'aws:rds/instance:Instance').inputs;
    assert.equal(db.engine, 'postgres');
    assert.equal(db.engineVersion, '17');
    assert.equal(db.storageEncrypted, true);
    one(registered, 'aws:s3/bucket:Bucket');
    one(registered, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
    const [expiry] = one(registered, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs.rules;
    assert.deepEqual([expiry.filter.prefix, expiry.expiration.days], ['uploads/', 2], 'plaintext uploads never linger');
    assertPgBouncer(registered);
    assert.equal(minio(registered).length, 0);
    assert.equal(named(registered, T.SECRET, 'consilium-data').inputs.stringData.S3_ENDPOINT, 'https://s3.eu-central-1.amazonaws.com');
    assertSharedLayer(registered, settings, fixture);
  });

  it('azure: AKS, PostgreSQL Flexible Server 17 behind PgBouncer, MinIO', async () => {
    const { registered, settings } = await deployTarget('azure');
    const cluster = one(registered, 'azure-native:containerservice:ManagedCluster').inputs;
    assert.equal(cluster.oidcIssuerProfile.enabled, true);
    assert.equal(cluster.agentPoolProfiles[0].count, 3);
    assert.equal(one(registered, 'azure-native:dbforpostgresql:Server').inputs.version, '17');
    assertPgBouncer(registered);
    assert.equal(minio(registered).length, 1);
    assert.match(named(registered, T.SECRET, 'consilium-data').inputs.stringData.S3_ENDPOINT, /^http:\/\/minio\./);
    const [mc] = byType(registered, T.JOB).find((j) => j.inputs.metadata.name === 'minio-bucket')!.inputs.spec.template.spec.containers;
    assert.match(mc.command.join(' '), /mc ilm import .*"Prefix":"uploads\/".*|"Prefix":"uploads\/".*mc ilm import/, 'plaintext uploads never linger');
    assertSharedLayer(registered, settings, fixture);
  });

  it('gcp: GKE with a node pool, Cloud SQL POSTGRES_17 behind PgBouncer, GCS through HMAC keys', async () => {
    const { registered, settings } = await deployTarget('gcp');
    assert.equal(one(registered, 'gcp:container/cluster:Cluster').inputs.removeDefaultNodePool, true);
    one(registered, 'gcp:container/nodePool:NodePool');
    assert.equal(one(registered, 'gcp:sql/databaseInstance:DatabaseInstance').inputs.databaseVersion, 'POSTGRES_17');
    const [expiry] = one(registered, 'gcp:storage/bucket:Bucket').inputs.lifecycleRules;
    assert.deepEqual([expiry.action.type, expiry.condition.matchesPrefixes, expiry.condition.age], ['Delete', ['uploads/'], 2], 'plaintext uploads never linger');
    one(registered, 'gcp:storage/hmacKey:HmacKey');
    assertPgBouncer(registered);
    assert.equal(named(registered, T.SECRET, 'consilium-data').inputs.stringData.S3_ENDPOINT, 'https://storage.googleapis.com');
    assertSharedLayer(registered, settings, fixture);
  });

  it('onprem: the existing cluster, CloudNativePG 17 with a transaction-mode Pooler, MinIO', async () => {
    const { registered, settings } = await deployTarget('onprem');
    assert.equal(registered.filter((r) => /^(aws|azure-native|gcp):/.test(r.type)).length, 0, 'nothing cloud-side');
    release(registered, 'cloudnative-pg');
    const cluster = one(registered, 'kubernetes:postgresql.cnpg.io/v1:Cluster').inputs.spec;
    assert.match(cluster.imageName, /postgresql:17(\.|$)/);
    assert.equal(cluster.instances, 3);
    const pooler = one(registered, 'kubernetes:postgresql.cnpg.io/v1:Pooler').inputs.spec;
    assert.equal(pooler.pgbouncer.poolMode, 'transaction');
    assert.equal(pooler.cluster.name, 'postgres');
    assert.equal(minio(registered).length, 1);
    one(registered, 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding');
    assertSharedLayer(registered, settings, fixture);
  });

  it('refuses a target without what it needs', async () => {
    await mockRuntime();
    const seed = pulumi.secret('s');
    assert.throws(() => clusterTarget(parseSettings({ ...baseConfig, target: 'aws' }), { dataSeed: seed }), /subnetIds/);
    assert.throws(() => clusterTarget(parseSettings({ ...baseConfig, target: 'gcp' }), { dataSeed: seed }), /project/);
    assert.throws(() => clusterTarget(parseSettings({ ...baseConfig, target: 'onprem' }), { dataSeed: seed }), /kubeconfig/);
  });
});

describe('the well-formedness check', () => {
  it('rejects objects the API server would reject', async () => {
    const { registered } = await deployTarget('onprem');
    const policy = structuredClone(byType(registered, T.NETWORK_POLICY)[0]!);
    assertWellFormed(policy);
    assert.throws(() => assertWellFormed({ ...policy, inputs: { ...policy.inputs, metadata: { ...policy.inputs.metadata, name: 'Not_A_Name' } } }), /name/);
    assert.throws(() => assertWellFormed({ ...policy, inputs: { ...policy.inputs, metadata: { ...policy.inputs.metadata, labels: { a: 'has space' } } } }), /label/);
    const worker = structuredClone(named(registered, T.DEPLOYMENT, 'bus-worker'));
    worker.inputs.spec.selector.matchLabels['app.kubernetes.io/name'] = 'other';
    assert.throws(() => assertWellFormed(worker), /selector/);
  });
});

describe('the real triggers on the whole stack', () => {
  it('generates a Service, Trigger, PingSource and NetworkPolicy for every declaration, and gives documents its OCR size', async () => {
    const declarations = declaredTriggers();
    const { registered, settings } = await deployTarget('onprem', declarations);
    assertSharedLayer(registered, settings, declarations);
    const documents = named(registered, T.SERVICE, 'documents').inputs.spec.template.spec;
    assert.ok(documents.timeoutSeconds >= 300);
    assert.equal(documents.containers[0].resources.requests.memory, '2Gi');
  });
});
