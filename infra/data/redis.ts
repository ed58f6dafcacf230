/**
 * Redis for rate limits and caches, with serverless-redis-http (SRH) in front: SRH speaks the Upstash REST API, so
 * functions keep using `@upstash/redis` exactly as they do against Upstash itself (and in local tests).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ROLES, SERVICES, roleLabel, serviceHost } from '../roles.ts';
import { versionsOf, type Settings } from '../settings.ts';
import { labels } from '../workload.ts';
import { dataContainerSecurity, dataPodDefaults } from './hardening.ts';

/** What the functions read: the REST URL and its token (secret). */
export interface RedisConnection {
  restUrl: string;
  restToken: pulumi.Output<string>;
  resources: pulumi.Resource[];
}

const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: 'redis-auth', key } } });

/**
 * Redis (one replica with an append-only file; it holds counters and caches, nothing that cannot be rebuilt) and
 * the SRH bridge (two replicas, stateless).
 *
 * @example
 * const redisConn = redis(settings, secretPassword(seed, 'redis'), secretPassword(seed, 'redis-http'), { provider });
 */
export function redis(settings: Settings, password: pulumi.Output<string>, restToken: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): RedisConnection {
  const ns = settings.namespace;
  const versions = versionsOf(settings);
  const redisHost = serviceHost(ns, SERVICES.redis);
  const auth = new k8s.core.v1.Secret(
    'redis-auth',
    {
      metadata: { name: 'redis-auth', namespace: ns, labels: labels(SERVICES.redis) },
      stringData: { password, token: restToken, url: pulumi.secret(pulumi.interpolate`redis://:${password}@${redisHost}:6379`) },
    },
    opts,
  );
  const redisLabels = { ...labels(SERVICES.redis), ...roleLabel(ROLES.redis) };
  const storage = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(settings.cluster.storageClass ? { storageClassName: settings.cluster.storageClass } : {}) };
  const server = new k8s.apps.v1.StatefulSet(
    'redis',
    {
      metadata: { name: SERVICES.redis, namespace: ns, labels: redisLabels },
      spec: {
        serviceName: SERVICES.redis,
        replicas: 1,
        selector: { matchLabels: redisLabels },
        template: {
          metadata: { labels: redisLabels },
          spec: {
            ...dataPodDefaults(999),
            containers: [
              {
                name: 'redis',
                image: versions.redisImage,
                // The password reaches redis-server through the environment, never through the pod's args.
                command: ['sh', '-c', 'exec redis-server --appendonly yes --dir /data --requirepass "$REDIS_PASSWORD"'],
                env: [secretEnv('REDIS_PASSWORD', 'password')],
                ports: [{ name: 'redis', containerPort: 6379 }],
                readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5 },
                resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
                securityContext: dataContainerSecurity(999),
              },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: storage }],
      },
    },
    { ...opts, dependsOn: [auth] },
  );
  const redisService = new k8s.core.v1.Service(
    'redis',
    { metadata: { name: SERVICES.redis, namespace: ns, labels: redisLabels }, spec: { selector: redisLabels, ports: [{ name: 'redis', port: 6379, targetPort: 'redis' }] } },
    opts,
  );
  const bridgeLabels = { ...labels(SERVICES.redisHttp), ...roleLabel(ROLES.redisHttp) };
  const bridge = new k8s.apps.v1.Deployment(
    'redis-http',
    {
      metadata: { name: SERVICES.redisHttp, namespace: ns, labels: bridgeLabels },
      spec: {
        replicas: 2,
        selector: { matchLabels: bridgeLabels },
        template: {
          metadata: { labels: bridgeLabels },
          spec: {
            ...dataPodDefaults(1000),
            containers: [
              {
                name: 'srh',
                image: versions.srhImage,
                env: [{ name: 'SRH_MODE', value: 'env' }, secretEnv('SRH_TOKEN', 'token'), secretEnv('SRH_CONNECTION_STRING', 'url')],
                ports: [{ name: 'http', containerPort: 80 }],
                readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
                resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                // The BEAM writes its runtime files under the release directory, and SRH listens on port 80.
                securityContext: { ...dataContainerSecurity(1000, false), capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
              },
            ],
          },
        },
      },
    },
    { ...opts, dependsOn: [auth, redisService] },
  );
  const bridgeService = new k8s.core.v1.Service(
    'redis-http',
    { metadata: { name: SERVICES.redisHttp, namespace: ns, labels: bridgeLabels }, spec: { selector: bridgeLabels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    opts,
  );
  return { restUrl: `http://${serviceHost(ns, SERVICES.redisHttp)}`, restToken, resources: [auth, server, redisService, bridge, bridgeService] };
}
