import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Settings } from '../settings.ts';
import { labels } from '../workload.ts';

/** The Secret this program writes the data services' addresses and credentials into. */
export const DATA_SECRET = 'consilium-data';

/** Every key of {@link DATA_SECRET}; the operator's own Secret (`envSecret`) must not repeat them. */
export const DATA_SETTINGS = [
  'DATABASE_URL',
  'NATS_URL',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
  // Not a credential, but known only once the cluster exists (a cloud's issuer URL is an output).
  'PLATFORM_OIDC_ISSUER',
] as const;

/**
 * The app's connection settings for the data services the stack made, as one Secret every workload reads
 * (`envFrom`). Only this object holds the values; every other object references it by name.
 *
 * @example
 * dataSecret(settings, { DATABASE_URL: db.url, … }, { provider });
 */
export function dataSecret(
  settings: Settings,
  values: Record<(typeof DATA_SETTINGS)[number], pulumi.Input<string>>,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  const stringData = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, pulumi.secret(v)]));
  return new k8s.core.v1.Secret('consilium-data', { metadata: { name: DATA_SECRET, namespace: settings.namespace, labels: labels('config') }, stringData }, opts);
}

/**
 * The operator's Secret (`envSecret`) from the secret stack config `appSecrets` ({NAME: value}): provider keys,
 * PLATFORM_SECRET, signing keys. Names the stack writes itself are refused, so the two Secrets never disagree.
 *
 * @example
 * operatorSecret(settings, config.requireSecretObject('appSecrets'), { provider });
 */
export function operatorSecret(settings: Settings, values: pulumi.Output<Record<string, string>>, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
  const checked = values.apply((v) => {
    const clash = Object.keys(v).filter((k) => (DATA_SETTINGS as readonly string[]).includes(k));
    if (clash.length) throw new Error(`appSecrets: ${clash.join(', ')} are written by the stack (${DATA_SECRET})`);
    return v;
  });
  return new k8s.core.v1.Secret(
    'consilium-env',
    { metadata: { name: settings.envSecret, namespace: settings.namespace, labels: labels('config') }, stringData: pulumi.secret(checked) },
    opts,
  );
}
