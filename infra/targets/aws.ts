/**
 * aws: an EKS cluster (control-plane and node IAM roles, one managed node group) in existing private subnets, RDS
 * PostgreSQL 17 reachable from the VPC only, and an S3 bucket with an access key scoped to it.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { secretPassword } from '../secrets.ts';
import { versionsOf, type Settings } from '../settings.ts';
import type { ClusterTarget, TargetInputs } from './types.ts';

const assumeRole = (service: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

function role(name: string, service: string, policies: string[]): aws.iam.Role {
  const r = new aws.iam.Role(name, { assumeRolePolicy: assumeRole(service) });
  policies.forEach((policy, i) => new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: r.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }));
  return r;
}

/**
 * A kubeconfig that authenticates with `aws eks get-token` (the operator's AWS credentials), never a static token.
 *
 * @example
 * eksKubeconfig('consilium', 'https://…eks.amazonaws.com', 'LS0t…', 'eu-central-1');
 */
export function eksKubeconfig(name: string, endpoint: string, caData: string, region: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: endpoint, 'certificate-authority-data': caData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [
      {
        name,
        user: {
          exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', name, '--region', region] },
        },
      },
    ],
  });
}

/**
 * Creates the EKS cluster and its managed data services.
 *
 * @example
 * const target = awsTarget(settings, { dataSeed: config.requireSecret('dataSeed') });
 */
export function awsTarget(settings: Settings, inputs: TargetInputs): ClusterTarget {
  const { cluster: c, data } = settings;
  const versions = versionsOf(settings);
  if (c.subnetIds.length < 2) throw new Error('cluster.subnetIds: aws needs two private subnets in different zones');
  const region = c.region ?? 'eu-central-1';
  const clusterRole = role('eks-cluster', 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
  const nodeRole = role('eks-nodes', 'ec2.amazonaws.com', ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly']);
  const cluster = new aws.eks.Cluster('consilium', {
    name: 'consilium',
    roleArn: clusterRole.arn,
    version: versions.kubernetes,
    vpcConfig: { subnetIds: c.subnetIds, endpointPrivateAccess: true },
    accessConfig: { authenticationMode: 'API' },
  });
  const nodes = new aws.eks.NodeGroup('consilium-nodes', {
    clusterName: cluster.name,
    nodeRoleArn: nodeRole.arn,
    subnetIds: c.subnetIds,
    instanceTypes: [c.nodeSize ?? 'm6i.large'],
    scalingConfig: { desiredSize: c.nodeCount, minSize: c.nodeCount, maxSize: c.nodeCount * 2 },
  });

  const subnets = new aws.rds.SubnetGroup('postgres', { subnetIds: c.subnetIds });
  const dbFirewall = new aws.ec2.SecurityGroup('postgres', {
    description: 'PostgreSQL from the VPC (the PgBouncer pods) only',
    vpcId: aws.ec2.getSubnetOutput({ id: c.subnetIds[0]! }).vpcId,
    ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrBlocks: [c.vpcCidr] }],
  });
  const password = secretPassword(inputs.dataSeed, 'postgres');
  const db = new aws.rds.Instance('postgres', {
    engine: 'postgres',
    engineVersion: versions.postgres,
    instanceClass: data.postgresTier ?? 'db.t4g.medium',
    allocatedStorage: Number.parseInt(data.postgresStorage, 10),
    dbName: 'consilium',
    username: 'consilium',
    password,
    dbSubnetGroupName: subnets.name,
    vpcSecurityGroupIds: [dbFirewall.id],
    storageEncrypted: true,
    multiAz: true,
    backupRetentionPeriod: 14,
    deletionProtection: true,
    finalSnapshotIdentifier: 'consilium-final',
  });

  const bucket = new aws.s3.Bucket('documents', { bucketPrefix: `${data.bucket}-` });
  new aws.s3.BucketPublicAccessBlock('documents', { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  // Uploads wait under uploads/ in plaintext until the documents pipeline seals them (events/documents.ts); whatever
  // a failure or a late second PUT leaves there goes after two days, whoever forgot it.
  new aws.s3.BucketLifecycleConfiguration('documents', {
    bucket: bucket.id,
    rules: [{ id: 'staged-uploads', status: 'Enabled', filter: { prefix: 'uploads/' }, expiration: { days: 2 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }],
  });
  const user = new aws.iam.User('documents');
  new aws.iam.UserPolicy('documents', {
    user: user.name,
    policy: bucket.arn.apply((arn) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'], Resource: [arn, `${arn}/*`] }] }),
    ),
  });
  const key = new aws.iam.AccessKey('documents', { user: user.name });

  const kubeconfig = pulumi
    .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
    .apply(([name, endpoint, ca]) => eksKubeconfig(name ?? 'consilium', endpoint, ca?.data ?? '', region));
  const provider = new k8s.Provider('k8s-aws', { kubeconfig: pulumi.secret(kubeconfig), namespace: settings.namespace, enableServerSideApply: true }, { dependsOn: [nodes] });
  return {
    provider,
    database: { host: db.address, port: 5432, database: 'consilium', user: 'consilium', password, dependsOn: [db] },
    bucket: {
      endpoint: `https://s3.${region}.amazonaws.com`,
      region,
      bucket: bucket.bucket,
      accessKeyId: pulumi.secret(key.id),
      secretAccessKey: key.secret,
    },
    oidcIssuer: cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? ''),
    resources: [cluster, nodes, db, bucket],
  };
}
