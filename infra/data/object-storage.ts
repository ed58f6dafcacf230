/**
 * Object storage with the S3 API. Clouds with S3-compatible storage bring a bucket (S3; GCS through its
 * interoperability endpoint); Azure (Blob Storage speaks no S3) and onprem get MinIO in the cluster, with a Job
 * that creates the bucket (the app never creates buckets on a request path).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ROLES, SERVICES, roleLabel, serviceHost } from '../roles.ts';
import { versionsOf, type Settings } from '../settings.ts';
import type { ManagedBucket } from '../targets/types.ts';
import { labels } from '../workload.ts';
import { dataContainerSecurity, dataPodDefaults } from './hardening.ts';

// Uploads wait under uploads/ in plaintext until the documents pipeline seals them (events/documents.ts); whatever a
// failure or a late second PUT leaves there goes after two days. Imported whole, so running the Job again changes nothing.
const STAGED_UPLOADS_EXPIRY = JSON.stringify({ Rules: [{ ID: 'staged-uploads', Status: 'Enabled', Filter: { Prefix: 'uploads/' }, Expiration: { Days: 2 } }] });

/** The S3_* settings the app reads. */
export interface ObjectStorage {
  endpoint: pulumi.Input<string>;
  region: string;
  bucket: pulumi.Input<string>;
  accessKeyId: pulumi.Input<string>;
  secretAccessKey: pulumi.Input<string>;
  /** True when it runs in the cluster (MinIO): the NetworkPolicies then allow its pods instead of the outside. */
  inCluster: boolean;
  resources: pulumi.Resource[];
}

const credential = (key: string) => ({ secretKeyRef: { name: 'minio-root', key } });

function minio(settings: Settings, password: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): ObjectStorage {
  const ns = settings.namespace;
  const versions = versionsOf(settings);
  const selector = { ...labels(SERVICES.minio), ...roleLabel(ROLES.objectStorage) };
  const root = new k8s.core.v1.Secret(
    'minio-root',
    { metadata: { name: 'minio-root', namespace: ns, labels: selector }, stringData: { user: 'consilium', password } },
    opts,
  );
  const storage = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: settings.data.objectStorage } }, ...(settings.cluster.storageClass ? { storageClassName: settings.cluster.storageClass } : {}) };
  const server = new k8s.apps.v1.StatefulSet(
    'minio',
    {
      metadata: { name: SERVICES.minio, namespace: ns, labels: selector },
      spec: {
        serviceName: SERVICES.minio,
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            ...dataPodDefaults(1000),
            containers: [
              {
                name: 'minio',
                image: versions.minioImage,
                args: ['server', '/data', '--address', ':9000'],
                env: [
                  { name: 'MINIO_ROOT_USER', valueFrom: credential('user') },
                  { name: 'MINIO_ROOT_PASSWORD', valueFrom: credential('password') },
                  { name: 'HOME', value: '/tmp' },
                ],
                ports: [{ name: 's3', containerPort: 9000 }],
                readinessProbe: { httpGet: { path: '/minio/health/ready', port: 's3' }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/minio/health/live', port: 's3' }, periodSeconds: 20 },
                resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2Gi' } },
                volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }],
                securityContext: dataContainerSecurity(1000),
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: storage }],
      },
    },
    { ...opts, dependsOn: [root] },
  );
  const service = new k8s.core.v1.Service(
    'minio',
    { metadata: { name: SERVICES.minio, namespace: ns, labels: selector }, spec: { selector, ports: [{ name: 's3', port: 9000, targetPort: 's3' }] } },
    opts,
  );
  const endpoint = `http://${serviceHost(ns, SERVICES.minio)}:9000`;
  const jobLabels = { ...labels('minio-bucket'), ...roleLabel(ROLES.migrate) };
  const bucketJob = new k8s.batch.v1.Job(
    'minio-bucket',
    {
      metadata: { name: 'minio-bucket', namespace: ns, labels: jobLabels },
      spec: {
        backoffLimit: 10,
        template: {
          metadata: { labels: jobLabels },
          spec: {
            ...dataPodDefaults(1000),
            restartPolicy: 'OnFailure',
            containers: [
              {
                name: 'mc',
                image: versions.mcImage,
                command: ['sh', '-c', `mc alias set s3 ${endpoint} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" && mc mb --ignore-existing s3/${settings.data.bucket} && echo '${STAGED_UPLOADS_EXPIRY}' | mc ilm import s3/${settings.data.bucket}`],
                env: [
                  { name: 'MINIO_ROOT_USER', valueFrom: credential('user') },
                  { name: 'MINIO_ROOT_PASSWORD', valueFrom: credential('password') },
                  { name: 'MC_CONFIG_DIR', value: '/tmp/mc' },
                ],
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                securityContext: dataContainerSecurity(1000),
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    },
    { ...opts, dependsOn: [server, service] },
  );
  return {
    endpoint,
    region: 'us-east-1',
    bucket: settings.data.bucket,
    accessKeyId: 'consilium',
    secretAccessKey: password,
    inCluster: true,
    resources: [root, server, service, bucketJob],
  };
}

/**
 * The stack's object storage: the target's bucket, or MinIO.
 *
 * @example
 * const storage = objectStorage(settings, target.bucket, secretPassword(seed, 'minio'), { provider });
 */
export function objectStorage(settings: Settings, managed: ManagedBucket | undefined, password: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): ObjectStorage {
  return managed ? { ...managed, inCluster: false, resources: [] } : minio(settings, password, opts);
}
