import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredTriggers, functionNames } from './declarations.ts';
import { renderManifests } from './manifests.ts';
import { derivePassword, PASSWORD_PURPOSES } from './secrets.ts';
import { parseSettings } from './settings.ts';
import { baseConfig, fixture } from './testing.ts';
import { toYaml } from './yaml.ts';

const root = new URL('..', import.meta.url).pathname;

describe('npm run manifests', () => {
  it('renders with placeholders, saying so, when only --out is given', async () => {
    const out = await mkdtemp(join(tmpdir(), 'manifests-'));
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/manifests-cli.ts', '--out', out], { cwd: root, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /no image given, rendering with the placeholder registry.localhost\/consilium:0.1.0/);
      assert.ok((await readdir(join(out, 'objects'))).some((f) => f.startsWith('50-service-consilium-')));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('writes every Knative Service, Trigger and PingSource of the real triggers as YAML files', async () => {
    const out = await mkdtemp(join(tmpdir(), 'manifests-'));
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/manifests-cli.ts', '--out', out, '--image', baseConfig.image, '--domain', baseConfig.domain, '--acme-email', baseConfig.acmeEmail], {
        cwd: root,
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const objects = await readdir(join(out, 'objects'));
      const declarations = declaredTriggers();
      for (const fn of functionNames(declarations)) assert.ok(objects.includes(`50-service-consilium-${fn}.yaml`), `a Service file for ${fn}`);
      assert.equal(objects.filter((f) => f.includes('-trigger-')).length, declarations.events.length);
      assert.equal(objects.filter((f) => f.includes('-pingsource-')).length, declarations.cron.length);
      assert.ok(objects.some((f) => f.includes('-networkpolicy-consilium-default-deny')));
      const install = await readFile(join(out, 'install.sh'), 'utf8');
      assert.match(install, /helm upgrade --install nats nats .* --version \d/);
      assert.match(install, /kubectl apply .*eventing-natss/);
      assert.ok((await readdir(join(out, 'helm'))).includes('nats.values.yaml'));
      const service = await readFile(join(out, 'objects', `50-service-consilium-${functionNames(declarations)[0]}.yaml`), 'utf8');
      assert.match(service, /^apiVersion: "serving\.knative\.dev\/v1"\nkind: "Service"\n/);
      // Every file is YAML a standard parser reads back into a Kubernetes object (js-yaml, only to check).
      const yaml = (await import('js-yaml' as string)) as { load(text: string): any };
      for (const file of objects) {
        const object = yaml.load(await readFile(join(out, 'objects', file), 'utf8'));
        assert.ok(object.apiVersion && object.kind && object.metadata.name, file);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('never writes a secret value: Secrets are listed by name and key, every derived password stays out', async () => {
    const seed = 'PLANTED-seed-0f3c9a';
    const settings = parseSettings({ ...baseConfig, namespace: 'consilium' });
    const files = await renderManifests(settings, fixture, seed);
    const planted = [seed, ...PASSWORD_PURPOSES.map((purpose) => derivePassword(seed, purpose))];
    const all = [...files.values()].join('\n');
    for (const value of planted) assert.ok(!all.includes(value), `a secret (${value.slice(0, 6)}…) leaked into the manifests`);
    assert.equal([...files.keys()].filter((f) => /-secret-/.test(f)).length, 0, 'no Secret objects are written');
    const listed = files.get('SECRETS.md')!;
    assert.match(listed, /consilium\/consilium-data`: .*DATABASE_URL/);
    assert.match(listed, /consilium\/postgres-app`: password, username/);
    // The check can fail: the same render with the seed in a plain field would be caught.
    const leaky = await renderManifests(parseSettings({ ...baseConfig, env: { LOG_LEVEL: derivePassword(seed, 'postgres') } }), fixture, seed);
    assert.ok([...leaky.values()].join('\n').includes(derivePassword(seed, 'postgres')));
  });

  it('emits YAML that quotes what YAML would otherwise misread', () => {
    const text = toYaml({ data: { on: 'yes', '1x': '0755', list: [{ a: 1, b: [true] }], empty: {} } });
    assert.equal(text, 'data:\n  "on": "yes"\n  "1x": "0755"\n  list:\n  - a: 1\n    b:\n    - true\n  empty: {}\n');
  });
});
