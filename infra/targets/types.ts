import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';

/** A managed PostgreSQL 17 the cloud runs; PgBouncer (transaction mode) in the cluster fronts it. */
export interface ManagedDatabase {
  host: pulumi.Output<string>;
  port: number;
  database: string;
  user: string;
  /** Secret output (derived from the stack's `dataSeed`), never a plain string. */
  password: pulumi.Output<string>;
  /** Resources the pooler waits for (the instance, its firewall rules). */
  dependsOn: pulumi.Resource[];
}

/** A bucket the cloud runs, spoken to with the S3 API. */
export interface ManagedBucket {
  endpoint: pulumi.Input<string>;
  region: string;
  bucket: pulumi.Output<string>;
  accessKeyId: pulumi.Output<string>;
  secretAccessKey: pulumi.Output<string>;
}

/**
 * What a target (aws, azure, gcp, onprem) hands the shared Kubernetes layer: a provider for its cluster and the
 * managed data services it made. What a target leaves undefined runs in the cluster (CloudNativePG, MinIO).
 */
export interface ClusterTarget {
  provider: k8s.Provider;
  database?: ManagedDatabase;
  bucket?: ManagedBucket;
  /** The cluster's service-account issuer, for Knative Eventing OIDC tokens. */
  oidcIssuer: pulumi.Input<string>;
  /** Everything made for the target, for outputs and tests. */
  resources: pulumi.Resource[];
}

/** What every target receives. */
export interface TargetInputs {
  /** Secret: seeds every generated password (see `infra/secrets.ts`). */
  dataSeed: pulumi.Output<string>;
  /** Secret: an existing cluster's kubeconfig (onprem only). */
  kubeconfig?: pulumi.Output<string>;
}
