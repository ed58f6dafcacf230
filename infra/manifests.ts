/**
 * `npm run manifests -- --out DIR`: the same generators as the Pulumi program, run against Pulumi's runtime mocks,
 * written as YAML for teams that apply with kubectl. Secrets are referenced by name and never written: the Secret
 * objects the program would create are listed (name and keys only) in SECRETS.md for the operator to create.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { kubernetesKind, mockRuntime, quiet, type Registered } from './capture.ts';
import type { Declarations } from './declarations.ts';
import type { Settings } from './settings.ts';
import { deployStack } from './stack.ts';
import { toYaml } from './yaml.ts';

/** Apply order: what others need first (kubectl applies a directory's files in name order). */
const PHASES: [RegExp, string][] = [
  [/^(Namespace|ClusterRoleBinding|GatewayClass|ClusterIssuer)$/, '10'],
  [/^(ConfigMap|ServiceAccount|NetworkPolicy)$/, '20'],
  [/^(Service|StatefulSet|Deployment|Cluster|Pooler|Gateway|ReferenceGrant|PrometheusRule)$/, '30'],
  [/^Job$/, '40'],
  [/^Service@serving\.knative\.dev$/, '50'],
  [/^(Broker|Trigger|PingSource|HTTPRoute)$/, '60'],
];

function phase(kind: string, apiVersion: string): string {
  const id = apiVersion.startsWith('serving.knative.dev') ? `${kind}@serving.knative.dev` : kind;
  return PHASES.find(([pattern]) => pattern.test(id))?.[1] ?? '70';
}

/** The rendered files, by relative path. */
export type Rendered = Map<string, string>;

function install(registered: Registered[]): string {
  const script = ['#!/bin/sh', '# Cluster add-ons first (pinned versions), then the objects in this directory.', 'set -eu', 'cd "$(dirname "$0")"'];
  for (const r of registered.filter((x) => x.type === 'kubernetes:yaml/v2:ConfigFile')) script.push(`kubectl apply --server-side -f ${r.inputs.file}`);
  for (const r of registered.filter((x) => x.type === 'kubernetes:helm.sh/v3:Release')) {
    const { name, chart, version, namespace, repositoryOpts } = r.inputs;
    const source = repositoryOpts?.repo ? `${chart} --repo ${repositoryOpts.repo}` : chart;
    script.push(`helm upgrade --install ${name} ${source} --version ${version} --namespace ${namespace} --create-namespace -f helm/${name}.values.yaml`);
  }
  script.push('kubectl apply --server-side --force-conflicts --field-manager consilium -f patches/', 'kubectl apply -f objects/');
  return `${script.join('\n')}\n`;
}

/**
 * Renders the stack's Kubernetes layer (as for `target: onprem`: the data services run in the cluster) from
 * settings and declarations. `dataSeed` only seeds the Secrets, which are not written; it is a parameter so tests
 * can plant one and prove nothing derived from it leaks.
 *
 * @example
 * const files = await renderManifests(settings, declaredTriggers(), 'unused');
 * files.get('install.sh');
 */
export async function renderManifests(settings: Settings, declarations: Declarations, dataSeed: string): Promise<Rendered> {
  const registered = await mockRuntime();
  const provider = new k8s.Provider('render', { kubeconfig: 'render' });
  const target = { provider, oidcIssuer: settings.oidcIssuer ?? 'https://kubernetes.default.svc.cluster.local', resources: [] };
  deployStack({ ...settings, target: 'onprem' }, declarations, target, pulumi.secret(dataSeed));
  await quiet(registered);

  const files: Rendered = new Map();
  const secrets: string[] = ['# Secrets to create before applying', '', 'Referenced by name in the manifests; create them with `kubectl create secret generic NAME -n NAMESPACE --from-literal=KEY=…`.', ''];
  for (const r of registered) {
    if (r.type === 'kubernetes:helm.sh/v3:Release') files.set(`helm/${r.inputs.name}.values.yaml`, toYaml(r.inputs.values ?? {}));
    const kind = kubernetesKind(r.type);
    if (!kind || r.type.startsWith('kubernetes:helm.sh') || r.type.startsWith('kubernetes:yaml')) continue;
    const { metadata } = r.inputs;
    if (kind.kind === 'Secret') {
      secrets.push(`- \`${metadata.namespace}/${metadata.name}\`: ${Object.keys(r.inputs.stringData ?? r.inputs.data ?? {}).join(', ')}`);
      continue;
    }
    const isPatch = kind.kind.endsWith('Patch');
    const object = { ...r.inputs, apiVersion: kind.apiVersion, kind: kind.kind.replace(/Patch$/, '') };
    const file = isPatch
      ? `patches/${metadata.namespace}-${metadata.name}.yaml`
      : `objects/${phase(object.kind, object.apiVersion)}-${object.kind.toLowerCase()}-${metadata.namespace ?? 'cluster'}-${metadata.name}.yaml`;
    if (files.has(file)) throw new Error(`manifests: two objects render to ${file}`);
    files.set(file, toYaml(object));
  }
  files.set('SECRETS.md', `${secrets.join('\n')}\n`);
  files.set('install.sh', install(registered));
  return files;
}
