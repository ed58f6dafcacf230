/**
 * The whole deployment above the cluster, the same for every target: cluster add-ons (Knative, ingress and
 * certificates, observability), data services (PostgreSQL behind PgBouncer, NATS JetStream, Redis + REST bridge,
 * object storage), NetworkPolicies, then the app platform generated from `triggers/`.
 */
import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_GATEWAY, ingressInstall } from './addons/ingress.ts';
import { issuerDiscovery, knativeInstall } from './addons/knative.ts';
import { observability } from './addons/observability.ts';
import { nats } from './data/nats.ts';
import { objectStorage } from './data/object-storage.ts';
import { postgres } from './data/postgres.ts';
import { redis } from './data/redis.ts';
import { DATA_SECRET, dataSecret, operatorSecret } from './data/secret.ts';
import type { Declarations } from './declarations.ts';
import { networkPolicyResources } from './network-policies.ts';
import { appNamespace, deployPlatform, type Platform } from './platform.ts';
import { secretPassword } from './secrets.ts';
import type { Settings } from './settings.ts';
import type { ClusterTarget } from './targets/types.ts';

/** Everything the stack made on the cluster, for outputs and tests. */
export interface Stack {
  platform: Platform;
  addons: pulumi.Resource[];
  data: pulumi.Resource[];
  policies: k8s.networking.v1.NetworkPolicy[];
}

/**
 * Deploys the shared Kubernetes layer on the target's cluster.
 *
 * @example
 * const stack = deployStack(settings, declaredTriggers(), clusterTarget(settings, inputs), config.requireSecret('dataSeed'), config.getSecretObject('appSecrets'));
 */
export function deployStack(
  settings: Settings,
  declarations: Declarations,
  target: ClusterTarget,
  dataSeed: pulumi.Output<string>,
  appSecrets?: pulumi.Output<Record<string, string>>,
): Stack {
  const { provider } = target;
  const opts = { provider };
  // The stack's own Gateway unless the config names one the cluster already has.
  const effective: Settings = { ...settings, gateway: settings.gateway ?? { ...DEFAULT_GATEWAY } };

  const namespace = appNamespace(effective, opts);
  const inNamespace = { provider, dependsOn: [namespace] };
  const queue = nats(effective, inNamespace);
  const knative = knativeInstall(effective, queue.url, opts);
  const addons = [
    ...knative,
    ...(settings.target === 'onprem' ? [issuerDiscovery(opts)] : []),
    ...(settings.gateway ? [] : ingressInstall(effective, opts)),
    ...observability(effective, declarations, secretPassword(dataSeed, 'grafana'), opts),
  ];

  const db = postgres(effective, target.database, secretPassword(dataSeed, 'postgres'), inNamespace);
  const storage = objectStorage(effective, target.bucket, secretPassword(dataSeed, 'minio'), inNamespace);
  const cache = redis(effective, secretPassword(dataSeed, 'redis'), secretPassword(dataSeed, 'redis-http'), inNamespace);
  const secret = dataSecret(
    effective,
    {
      DATABASE_URL: db.url,
      NATS_URL: queue.url,
      S3_ENDPOINT: storage.endpoint,
      S3_REGION: storage.region,
      S3_BUCKET: storage.bucket,
      S3_ACCESS_KEY_ID: storage.accessKeyId,
      S3_SECRET_ACCESS_KEY: storage.secretAccessKey,
      UPSTASH_REDIS_REST_URL: cache.restUrl,
      UPSTASH_REDIS_REST_TOKEN: cache.restToken,
      PLATFORM_OIDC_ISSUER: target.oidcIssuer,
    },
    inNamespace,
  );
  const data = [queue.release, ...db.resources, ...storage.resources, ...cache.resources, secret];
  // The operator's credentials (`appSecrets`, secret stack config) become `envSecret`; without them it must exist.
  if (appSecrets) data.push(operatorSecret(effective, appSecrets, inNamespace));

  const policies = networkPolicyResources(
    effective,
    declarations,
    { postgresInCluster: !target.database, objectStorageInCluster: storage.inCluster, issuerOutside: settings.target !== 'onprem' },
    inNamespace,
  );
  const platform = deployPlatform(effective, declarations, provider, {
    namespace,
    dataSecretName: DATA_SECRET,
    // The migration needs the database; functions need Knative's CRDs and the Broker's channel.
    dependsOn: [...data, ...knative],
  });
  return { platform, addons, data, policies };
}
