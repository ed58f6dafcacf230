import { createHmac } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

/**
 * A password for one purpose, derived from the stack's secret `dataSeed` (HMAC-SHA256, hex). No random provider:
 * the same seed gives the same passwords on every `pulumi up`, a new seed rotates them all, and only the seed has to
 * be kept secret (it lives encrypted in the stack config).
 *
 * @example
 * derivePassword('seed', 'postgres'); // 40 hex characters
 */
export function derivePassword(seed: string, purpose: string): string {
  return createHmac('sha256', seed).update(`consilium/${purpose}`).digest('hex').slice(0, 40);
}

/**
 * {@link derivePassword} on the secret output, kept secret.
 *
 * @example
 * const password = secretPassword(dataSeed, 'postgres');
 */
export function secretPassword(seed: pulumi.Output<string>, purpose: string): pulumi.Output<string> {
  return pulumi.secret(seed.apply((s) => derivePassword(s, purpose)));
}

/** Every purpose a password is derived for, so tests can plant a seed and look for all of them. */
export const PASSWORD_PURPOSES = ['postgres', 'redis', 'redis-http', 'minio', 'grafana', 'nats'] as const;
