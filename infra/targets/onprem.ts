/**
 * onprem: an existing cluster reached with the stack's secret `kubeconfig`. Nothing cloud-side is made; the shared
 * layer then runs PostgreSQL (CloudNativePG) and object storage (MinIO) inside the cluster.
 */
import * as k8s from '@pulumi/kubernetes';
import type { Settings } from '../settings.ts';
import type { ClusterTarget, TargetInputs } from './types.ts';

/**
 * The provider for an existing cluster. An explicit provider (never the ambient `~/.kube/config`), so `pulumi up`
 * cannot land in whatever cluster the operator's shell happens to point at.
 *
 * @example
 * const target = onpremTarget(settings, { dataSeed, kubeconfig: config.requireSecret('kubeconfig') });
 */
export function onpremTarget(settings: Settings, inputs: TargetInputs): ClusterTarget {
  if (!inputs.kubeconfig) throw new Error('kubeconfig: onprem needs the existing cluster\'s kubeconfig (pulumi config set --secret kubeconfig …)');
  const provider = new k8s.Provider('k8s-onprem', {
    kubeconfig: inputs.kubeconfig,
    namespace: settings.namespace,
    // Knative objects are CRDs; server-side apply lets their controllers' defaulted fields coexist with ours.
    enableServerSideApply: true,
  });
  return { provider, oidcIssuer: settings.oidcIssuer ?? 'https://kubernetes.default.svc.cluster.local', resources: [] };
}
