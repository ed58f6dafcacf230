import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { declaredTriggers } from './declarations.ts';
import { networkPolicies } from './network-policies.ts';
import { routeRules } from './routes.ts';
import { parseSettings } from './settings.ts';
import { baseConfig } from './testing.ts';
import { functionUsage, type FunctionUsage } from './usage.ts';

const settings = parseSettings({ ...baseConfig, namespace: 'consilium' });
const declarations = {
  http: [{ prefix: '/v1/plain' as const, function: 'plain' }],
  events: [{ event: 'case.submitted.v1', function: 'busy' }],
  cron: [],
};
const usage: Record<string, FunctionUsage> = {
  plain: { objectStorage: false, redis: false, external: false },
  busy: { objectStorage: true, redis: true, external: true },
};

/** Every (peer, port) a policy's egress allows, as short strings. */
function egressOf(policy: any): string[] {
  return policy.spec.egress.flatMap((rule: any) =>
    (rule.to ?? [{}]).flatMap((peer: any) => {
      const who = peer.podSelector?.matchLabels?.['consilium.dev/role'] ?? peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? peer.ipBlock?.cidr ?? 'any';
      return (rule.ports ?? [{ port: 'any' }]).map((p: any) => `${who}:${p.port}`);
    }),
  );
}

describe('NetworkPolicies', () => {
  const policies = (ctx: Partial<Parameters<typeof networkPolicies>[2]> = {}) =>
    networkPolicies(settings, declarations, { postgresInCluster: true, objectStorageInCluster: true, issuerOutside: false, usage: (fn) => usage[fn]!, ...ctx });
  const policyOf = (list: any[], name: string) => list.find((p) => p.metadata.name === name);

  it('let a function reach only the pooler, telemetry, the issuer and DNS unless its code uses more', () => {
    const list = policies();
    assert.deepEqual(egressOf(policyOf(list, 'function-plain')).sort(), ['db-pooler:5432', 'observability:4318', '0.0.0.0/0:443', '0.0.0.0/0:6443'].sort());
    const busy = egressOf(policyOf(list, 'function-busy'));
    for (const expected of ['redis-http:80', 'object-storage:9000', '0.0.0.0/0:587']) assert.ok(busy.includes(expected), expected);
    // DNS for every pod, through the default policy.
    assert.deepEqual(egressOf(policyOf(list, 'default-deny')), ['kube-system:53', 'kube-system:53']);
  });

  it('send a function to the cloud bucket instead of MinIO, and keep the outside free of private ranges', () => {
    const list = policies({ objectStorageInCluster: false, issuerOutside: true });
    assert.equal(policyOf(list, 'object-storage'), undefined);
    const plain = policyOf(list, 'function-plain');
    const outside = plain.spec.egress.flatMap((r: any) => r.to).find((p: any) => p.ipBlock);
    assert.ok(outside.ipBlock.except.includes('10.0.0.0/8'));
  });

  it('accept calls to functions only from Knative, the worker and monitoring; event paths are never routed publicly', () => {
    const ingress = policyOf(policies(), 'function-busy').spec.ingress[0].from;
    const sources = ingress.map((p: any) => p.podSelector?.matchLabels?.['consilium.dev/role'] ?? p.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
    assert.deepEqual(sources.sort(), ['bus-worker', 'knative-serving', 'kourier-system', 'observability']);
    const rules = routeRules({ ...settings, gateway: { name: 'public', namespace: 'gw' } }, declaredTriggers());
    for (const path of ['/_events', '/_cron/expire-offers']) {
      const hit = rules.flatMap((r) => r.matches).some((m) => (m.path.type === 'PathPrefix' ? path.startsWith(m.path.value) : new RegExp(m.path.value).test(path)));
      assert.equal(hit, false, `${path} is not routed`);
    }
  });

  it('read what a function uses from its imports, through shared modules', async () => {
    const root = await mkdtemp(join(tmpdir(), 'usage-'));
    try {
      await mkdir(join(root, 'functions/a'), { recursive: true });
      await mkdir(join(root, 'functions/b'), { recursive: true });
      await mkdir(join(root, 'shared/auth'), { recursive: true });
      await mkdir(join(root, 'shared/kv'), { recursive: true });
      await writeFile(join(root, 'shared/kv/index.ts'), 'export const kv = 1;\n');
      await writeFile(join(root, 'shared/auth/limit.ts'), "import { kv } from '../kv/index.ts';\nexport const limit = kv;\n");
      await writeFile(join(root, 'functions/a/app.ts'), "import { limit } from '../../shared/auth/limit.ts';\nexport default limit;\n");
      await writeFile(join(root, 'functions/b/app.ts'), "export const get = () => fetch('https://api.example.com');\n");
      assert.deepEqual(functionUsage('a', root), { objectStorage: false, redis: true, external: false });
      assert.deepEqual(functionUsage('b', root), { objectStorage: false, redis: false, external: true });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
