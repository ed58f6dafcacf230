/**
 * The Pulumi program (`main` in Pulumi.yaml): read the stack config, get a Kubernetes provider, deploy the shared
 * layer generated from `triggers/`. Cloud clusters (EKS / AKS / GKE) are not created yet — every target takes the
 * kubeconfig of an existing cluster with Knative Serving and Eventing installed; see README.md.
 */
import * as pulumi from '@pulumi/pulumi';
import { declaredTriggers } from './declarations.ts';
import { deployPlatform } from './platform.ts';
import { kubernetesProvider } from './provider.ts';
import { parseSettings, readStackConfig } from './settings.ts';

// Every named export below is a stack output, so helpers live in the modules they belong to.
const config = new pulumi.Config();
const settings = parseSettings(readStackConfig(config));
const platform = deployPlatform(settings, declaredTriggers(), kubernetesProvider(settings, config.requireSecret('kubeconfig')));

export const namespace = platform.namespace.metadata.name;
export const functions = [...platform.functions.keys()];
export const workerDeployment = platform.worker.metadata.name;
export const migrationJob = platform.migration.metadata.name;
