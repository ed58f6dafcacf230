import type { Settings } from '../settings.ts';
import { awsTarget } from './aws.ts';
import { azureTarget } from './azure.ts';
import { gcpTarget } from './gcp.ts';
import { onpremTarget } from './onprem.ts';
import type { ClusterTarget, TargetInputs } from './types.ts';

/**
 * The cluster (and managed data services) of the stack's `target`; everything above it is target-independent.
 *
 * @example
 * const target = clusterTarget(settings, { dataSeed: config.requireSecret('dataSeed'), kubeconfig: config.getSecret('kubeconfig') });
 */
export function clusterTarget(settings: Settings, inputs: TargetInputs): ClusterTarget {
  const target = { aws: awsTarget, azure: azureTarget, gcp: gcpTarget, onprem: onpremTarget }[settings.target];
  const made = target(settings, inputs);
  // A stack setting wins over what the target reports (e.g. a cluster fronted by an external issuer).
  return settings.oidcIssuer ? { ...made, oidcIssuer: settings.oidcIssuer } : made;
}
