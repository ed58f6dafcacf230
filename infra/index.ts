/**
 * The Pulumi program (`main` in Pulumi.yaml): read the stack config, create the target's cluster and managed data
 * services (targets/), then the shared Kubernetes layer generated from `triggers/` (stack.ts). See README.md.
 */
import * as pulumi from '@pulumi/pulumi';
import { declaredTriggers } from './declarations.ts';
import { parseSettings, readStackConfig } from './settings.ts';
import { deployStack } from './stack.ts';
import { clusterTarget } from './targets/index.ts';

// Every named export below is a stack output, so helpers live in the modules they belong to.
const config = new pulumi.Config();
const settings = parseSettings(readStackConfig(config));
const dataSeed = config.requireSecret('dataSeed');
const kubeconfig = config.getSecret('kubeconfig');
const target = clusterTarget(settings, { dataSeed, ...(kubeconfig ? { kubeconfig } : {}) });
const appSecrets = config.getSecretObject<Record<string, string>>('appSecrets');
const stack = deployStack(settings, declaredTriggers(), target, dataSeed, appSecrets);

export const namespace = stack.platform.namespace.metadata.name;
export const functions = [...stack.platform.functions.keys()];
export const workerDeployment = stack.platform.worker.metadata.name;
export const migrationJob = stack.platform.migration.metadata.name;
export const oidcIssuer = target.oidcIssuer;
