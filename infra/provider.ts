import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Settings } from './settings.ts';

/**
 * The Kubernetes provider every resource is created with. For `onprem` the cluster already exists and the stack's
 * secret `kubeconfig` reaches it. For `aws`, `azure` and `gcp` the cluster module (EKS / AKS / GKE, issue 9) is not
 * written yet: those targets also take a kubeconfig of a cluster made beforehand, and the module will replace this
 * by passing its own cluster's kubeconfig here — the rest of the program does not change.
 *
 * An explicit provider (never the ambient `~/.kube/config`) so `pulumi up` cannot land in whatever cluster the
 * operator's shell happens to point at.
 *
 * @example
 * const provider = kubernetesProvider(settings, config.requireSecret('kubeconfig'));
 */
export function kubernetesProvider(settings: Settings, kubeconfig: pulumi.Input<string>): k8s.Provider {
  return new k8s.Provider(`k8s-${settings.target}`, {
    kubeconfig,
    namespace: settings.namespace,
    // Knative objects are CRDs; server-side apply lets their controllers' defaulted fields coexist with ours.
    enableServerSideApply: true,
  });
}
