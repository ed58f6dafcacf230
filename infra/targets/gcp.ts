/**
 * gcp: a GKE cluster (Dataplane V2, so NetworkPolicies are enforced) with its own node pool, Cloud SQL for
 * PostgreSQL 17 on the VPC's private IP, and a GCS bucket spoken to through the S3-compatible interoperability
 * endpoint with an HMAC key of a service account that may use only that bucket.
 */
import * as gcp from '@pulumi/gcp';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { secretPassword } from '../secrets.ts';
import { versionsOf, type Settings } from '../settings.ts';
import type { ClusterTarget, TargetInputs } from './types.ts';

/**
 * A kubeconfig that authenticates with `gke-gcloud-auth-plugin` (the operator's gcloud login), never a static token.
 *
 * @example
 * gkeKubeconfig('consilium', '34.1.2.3', 'LS0t…');
 */
export function gkeKubeconfig(name: string, endpoint: string, caData: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: `https://${endpoint}`, 'certificate-authority-data': caData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [{ name, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'gke-gcloud-auth-plugin', provideClusterInfo: true } } }],
  });
}

/**
 * Creates the GKE cluster and its managed data services.
 *
 * @example
 * const target = gcpTarget(settings, { dataSeed: config.requireSecret('dataSeed') });
 */
export function gcpTarget(settings: Settings, inputs: TargetInputs): ClusterTarget {
  const { cluster: c, data } = settings;
  const versions = versionsOf(settings);
  if (!c.project) throw new Error('cluster.project: gcp needs the project id');
  const region = c.region ?? 'europe-west3';
  const network = `projects/${c.project}/global/networks/default`;
  const cluster = new gcp.container.Cluster('consilium', {
    name: 'consilium',
    project: c.project,
    location: region,
    minMasterVersion: versions.kubernetes,
    removeDefaultNodePool: true,
    initialNodeCount: 1,
    network,
    datapathProvider: 'ADVANCED_DATAPATH',
    workloadIdentityConfig: { workloadPool: `${c.project}.svc.id.goog` },
    deletionProtection: true,
  });
  const nodes = new gcp.container.NodePool('consilium-nodes', {
    project: c.project,
    cluster: cluster.name,
    location: region,
    nodeCount: Math.max(1, Math.ceil(c.nodeCount / 3)),
    nodeConfig: { machineType: c.nodeSize ?? 'e2-standard-4', workloadMetadataConfig: { mode: 'GKE_METADATA' } },
    management: { autoRepair: true, autoUpgrade: true },
  });

  const password = secretPassword(inputs.dataSeed, 'postgres');
  const instance = new gcp.sql.DatabaseInstance('postgres', {
    project: c.project,
    region,
    databaseVersion: `POSTGRES_${versions.postgres}`,
    deletionProtection: true,
    settings: {
      tier: data.postgresTier ?? 'db-custom-2-7680',
      availabilityType: 'REGIONAL',
      diskSize: Number.parseInt(data.postgresStorage, 10),
      backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true },
      // Private services access must exist on the VPC; no public address at all.
      ipConfiguration: { ipv4Enabled: false, privateNetwork: network },
    },
  });
  const database = new gcp.sql.Database('consilium', { project: c.project, instance: instance.name, name: 'consilium' });
  const user = new gcp.sql.User('consilium', { project: c.project, instance: instance.name, name: 'consilium', password });

  const bucket = new gcp.storage.Bucket('documents', {
    project: c.project,
    name: `${data.bucket}-${c.project}`,
    location: region.toUpperCase(),
    uniformBucketLevelAccess: true,
    publicAccessPrevention: 'enforced',
    // Uploads wait under uploads/ in plaintext until the documents pipeline seals them (events/documents.ts); whatever
    // a failure or a late second PUT leaves there goes after two days, whoever forgot it.
    lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 2, matchesPrefixes: ['uploads/'] } }],
  });
  const account = new gcp.serviceaccount.Account('documents', { project: c.project, accountId: 'consilium-documents', displayName: 'Consilium documents (S3 interoperability)' });
  new gcp.storage.BucketIAMMember('documents', { bucket: bucket.name, role: 'roles/storage.objectUser', member: pulumi.interpolate`serviceAccount:${account.email}` });
  const hmac = new gcp.storage.HmacKey('documents', { project: c.project, serviceAccountEmail: account.email });

  const kubeconfig = pulumi
    .all([cluster.name, cluster.endpoint, cluster.masterAuth])
    .apply(([name, endpoint, auth]) => gkeKubeconfig(name ?? 'consilium', endpoint, auth?.clusterCaCertificate ?? ''));
  const provider = new k8s.Provider('k8s-gcp', { kubeconfig: pulumi.secret(kubeconfig), namespace: settings.namespace, enableServerSideApply: true }, { dependsOn: [nodes] });
  return {
    provider,
    database: { host: instance.privateIpAddress, port: 5432, database: 'consilium', user: 'consilium', password, dependsOn: [instance, database, user] },
    bucket: {
      endpoint: 'https://storage.googleapis.com',
      region: 'auto',
      bucket: bucket.name,
      accessKeyId: pulumi.secret(hmac.accessId),
      secretAccessKey: hmac.secret,
    },
    oidcIssuer: `https://container.googleapis.com/v1/projects/${c.project}/locations/${region}/clusters/consilium`,
    resources: [cluster, nodes, instance, bucket, hmac],
  };
}
