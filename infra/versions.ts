/**
 * Every version the stack installs, pinned in one place: a `pulumi up` next year installs what was tested, and an
 * upgrade is a reviewed one-line diff. Stack config `versions` may override any entry (e.g. a patch release).
 */
export const VERSIONS = {
  kubernetes: '1.31',
  postgres: '17',
  /** CloudNativePG's PostgreSQL 17 operand image (onprem). */
  postgresImage: 'ghcr.io/cloudnative-pg/postgresql:17.2',
  cnpgChart: '0.23.0',
  pgbouncerImage: 'edoburu/pgbouncer:v1.23.1-p3',
  knative: 'knative-v1.16.0',
  eventingNatss: 'knative-v1.16.0',
  certManagerChart: 'v1.16.2',
  envoyGatewayChart: 'v1.2.4',
  natsChart: '1.2.6',
  redisImage: 'redis:7.4.1-alpine',
  /** serverless-redis-http: the Upstash REST API in front of Redis, so functions keep using @upstash/redis. */
  srhImage: 'hiett/serverless-redis-http:0.0.10',
  minioImage: 'quay.io/minio/minio:RELEASE.2024-11-07T00-52-20Z',
  mcImage: 'quay.io/minio/mc:RELEASE.2024-11-05T11-29-45Z',
  otelCollectorChart: '0.111.0',
  prometheusStackChart: '66.2.1',
} as const;

/** The names of the pinned versions. */
export type VersionKey = keyof typeof VERSIONS;

/**
 * The release manifests Knative publishes per version (fetched by the cluster-side Pulumi provider, never by tests).
 *
 * @example
 * knativeReleaseUrls(VERSIONS).servingCrds; // 'https://github.com/knative/serving/releases/download/knative-v1.16.0/serving-crds.yaml'
 */
export function knativeReleaseUrls(v: Record<VersionKey, string>) {
  const release = (repo: string, version: string, file: string) => `https://github.com/${repo}/releases/download/${version}/${file}`;
  return {
    servingCrds: release('knative/serving', v.knative, 'serving-crds.yaml'),
    servingCore: release('knative/serving', v.knative, 'serving-core.yaml'),
    kourier: release('knative/net-kourier', v.knative, 'kourier.yaml'),
    eventingCrds: release('knative/eventing', v.knative, 'eventing-crds.yaml'),
    eventingCore: release('knative/eventing', v.knative, 'eventing-core.yaml'),
    mtBroker: release('knative/eventing', v.knative, 'mt-channel-broker.yaml'),
    /** NatsJetStreamChannel: the channel behind the Broker, on the same NATS JetStream as the outbox relay. */
    natssChannel: release('knative-extensions/eventing-natss', v.eventingNatss, 'eventing-jsm.yaml'),
  };
}
