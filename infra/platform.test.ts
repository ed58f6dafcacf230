import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declaredFunctionNames } from '../triggers/registry.ts';
import { declaredTriggers, functionNames } from './declarations.ts';
import { objectName } from './names.ts';
import { routeRules } from './routes.ts';
import { parseSettings, sizeOf } from './settings.ts';
import {
  assertRefused,
  assertWellFormed,
  baseConfig,
  byType,
  deployFixture,
  fixture,
  fixtureSettings,
  mockRuntime,
  named,
  one,
  quiet,
  T,
  validateKnative,
  type Registered,
} from './testing.ts';

// The app platform (functions, eventing, worker, migration, routes) against Pulumi's in-process mocks.

const runtimeConfigMap = (registered: Registered[]) => {
  const found = byType(registered, T.CONFIG_MAP).filter((c) => c.inputs.metadata.name.startsWith('consilium-config-'));
  assert.equal(found.length, 1);
  return found[0]!;
};

function isoSeconds(duration: string): number {
  const match = /^PT(\d+(?:\.\d+)?)S$/.exec(duration);
  assert.ok(match, `${duration} is PT<n>S`);
  return Number(match[1]);
}

describe('function Services', () => {
  it('makes one hardened, scale-to-zero Knative Service per declared function', async () => {
    const { registered, settings } = await deployFixture();
    const services = byType(registered, T.SERVICE);
    // `cases` appears under two prefixes and an event: still one Service.
    assert.deepEqual(services.map((s) => s.inputs.metadata.name).sort(), ['cases', 'matching']);
    const configMap = runtimeConfigMap(registered);

    for (const service of services) {
      const name: string = service.inputs.metadata.name;
      const size = sizeOf(settings, name);
      const template = service.inputs.spec.template;
      const container = template.spec.containers[0];
      assert.equal(template.spec.containers.length, 1);
      assert.deepEqual(container.command, ['node', `dist/functions/${name}.mjs`]);
      assert.equal(container.image, baseConfig.image);
      assert.equal(template.metadata.annotations['autoscaling.knative.dev/min-scale'], '0');
      assert.equal(template.metadata.annotations['autoscaling.knative.dev/max-scale'], String(size.maxScale));
      assert.equal(template.spec.containerConcurrency, size.containerConcurrency);
      assert.equal(template.spec.timeoutSeconds, size.timeoutSeconds);
      assert.equal(container.readinessProbe.httpGet.path, '/readyz');
      assert.equal(container.livenessProbe.httpGet.path, '/healthz');
      assert.deepEqual(container.resources.requests, { cpu: size.cpu, memory: size.memory });
      assert.equal(template.spec.enableServiceLinks, false);
      assert.equal(template.spec.automountServiceAccountToken, false);
      assert.equal(container.securityContext.runAsNonRoot, true);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      assert.equal(container.securityContext.capabilities.add, undefined);
      assert.deepEqual(container.envFrom, [{ secretRef: { name: 'consilium-env' } }, { configMapRef: { name: configMap.inputs.metadata.name } }]);
      assert.ok(!container.env.some((e: { name: string }) => e.name === 'PORT'), 'PORT is reserved by Knative');
    }
    // The per-function override reached only its function.
    const maxScale = (name: string) => services.find((s) => s.inputs.metadata.name === name)!.inputs.spec.template.metadata.annotations['autoscaling.knative.dev/max-scale'];
    assert.equal(maxScale('matching'), '3');
    assert.equal(maxScale('cases'), '10');
  });

  it('keeps functions without an HTTP prefix cluster-local', async () => {
    const { registered, declarations } = await deployFixture();
    for (const service of byType(registered, T.SERVICE)) {
      const name = service.inputs.metadata.name;
      const isPublic = declarations.http.some((t) => t.function === name);
      assert.equal(service.inputs.metadata.labels['networking.knative.dev/visibility'], isPublic ? undefined : 'cluster-local', name);
    }
  });

  it('waits for the migration Job, and names it in every revision', async () => {
    const { registered } = await deployFixture();
    const job = one(registered, T.JOB);
    assert.deepEqual(job.inputs.spec.template.spec.containers[0].command, ['node', 'dist/migrate.mjs']);
    assert.equal(job.inputs.spec.template.spec.restartPolicy, 'Never');
    for (const dependent of [...byType(registered, T.SERVICE), one(registered, T.DEPLOYMENT)]) {
      assert.ok(dependent.dependencies.includes(job.urn), `${dependent.name} depends on the migration Job`);
    }
    for (const service of byType(registered, T.SERVICE)) {
      assert.equal(service.inputs.spec.template.metadata.annotations['consilium.dev/migration'], job.inputs.metadata.name);
    }
  });

  it('replaces the migration Job (and so rolls every revision) when the image changes', async () => {
    const before = one((await deployFixture()).registered, T.JOB).inputs.metadata.name;
    const after = one((await deployFixture(fixtureSettings({ image: 'registry.example.com/consilium:1.4.3' }))).registered, T.JOB).inputs.metadata.name;
    const again = one((await deployFixture()).registered, T.JOB).inputs.metadata.name;
    assert.notEqual(before, after);
    assert.equal(before, again);
  });
});

describe('eventing', () => {
  it('makes one Trigger per event subscription, filtered on its type, delivering to the function /_events', async () => {
    const { registered, settings, declarations } = await deployFixture();
    const triggers = byType(registered, T.TRIGGER);
    assert.equal(triggers.length, declarations.events.length);
    for (const subscription of declarations.events) {
      const trigger = triggers.find((t) => t.inputs.spec.filter.attributes.type === subscription.event);
      assert.ok(trigger, `a Trigger for ${subscription.event}`);
      const { spec } = trigger.inputs;
      assert.equal(spec.broker, 'default');
      assert.deepEqual(spec.subscriber, {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: subscription.function, namespace: 'consilium-test' },
        uri: '/_events',
        // The OIDC audience Knative's token carries: the function's name, which it verifies.
        audience: subscription.function,
      });
      assert.equal(spec.delivery.backoffPolicy, 'exponential');
      assert.equal(spec.delivery.retry, settings.eventRetry);
      assert.equal(spec.delivery.deadLetterSink.uri, 'http://dead-letters.ops.svc.cluster.local');
      // One attempt may include a cold start on top of the function's own request timeout.
      assert.ok(isoSeconds(spec.delivery.timeout) > sizeOf(settings, subscription.function).timeoutSeconds);
      const service = byType(registered, T.SERVICE).find((s) => s.inputs.metadata.name === subscription.function)!;
      assert.ok(trigger.dependencies.includes(service.urn), 'a Trigger waits for the Service it delivers to');
    }
    one(registered, T.BROKER);
  });

  it('makes one UTC PingSource per cron job, ticking the function /_cron/<job>', async () => {
    const { registered, declarations } = await deployFixture();
    const sources = byType(registered, T.PING);
    assert.equal(sources.length, declarations.cron.length);
    for (const job of declarations.cron) {
      const source = sources.find((s) => s.inputs.spec.sink.uri === `/_cron/${job.job}`);
      assert.ok(source, `a PingSource for ${job.job}`);
      assert.equal(source.inputs.spec.schedule, job.schedule);
      assert.equal(source.inputs.spec.timezone, 'UTC');
      assert.equal(source.inputs.spec.sink.ref.name, job.function);
    }
  });

  it('creates no Broker when nothing consumes events', async () => {
    const { registered } = await deployFixture(fixtureSettings({ functionSizes: {} }), { http: fixture.http, events: [], cron: [] });
    assert.equal(byType(registered, T.BROKER).length, 0);
    assert.equal(byType(registered, T.TRIGGER).length, 0);
  });

  it('refuses a schedule PingSource cannot run', async () => {
    const withSeconds = { ...fixture, cron: [{ job: 'expire-offers', schedule: '0 */5 * * * *', function: 'matching' }] };
    await assertRefused(fixtureSettings(), withSeconds, /five fields/);
    const invalid = { ...fixture, cron: [{ job: 'expire-offers', schedule: '61 * * * *', function: 'matching' }] };
    await assertRefused(fixtureSettings(), invalid, /invalid schedule/);
  });

  it('refuses a subscription listed twice', async () => {
    const twice = { ...fixture, events: [...fixture.events, fixture.events[0]!] };
    await assertRefused(fixtureSettings(), twice, /twice/);
  });
});

describe('public routes', () => {
  const gateway = { name: 'public', namespace: 'gateways' };

  it('routes every declared prefix to its function through Knative\'s local gateway', async () => {
    const { registered, declarations } = await deployFixture(fixtureSettings({ gateway }));
    const route = one(registered, T.HTTP_ROUTE);
    assert.deepEqual(route.inputs.spec.hostnames, ['api.example.com']);
    assert.deepEqual(route.inputs.spec.parentRefs, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', ...gateway }]);
    const rules: any[] = route.inputs.spec.rules;
    for (const { prefix, function: fn } of declarations.http) {
      const rule = rules.find((r) => r.matches.some((m: any) => m.path.type === 'PathPrefix' && m.path.value === prefix));
      assert.ok(rule, `a rule for ${prefix}`);
      assert.equal(rule.filters[0].urlRewrite.hostname, `${fn}.consilium-test.svc.cluster.local`);
      assert.deepEqual(rule.backendRefs, [{ group: '', kind: 'Service', name: 'kourier-internal', namespace: 'kourier-system', port: 80 }]);
    }
    // One rule per public function, whatever the number of its prefixes; no rule for cluster-local ones.
    assert.equal(rules.length, new Set(declarations.http.map((t) => t.function)).size);
    assert.equal(rules.flatMap((r) => r.matches).length, declarations.http.length);
    const grant = one(registered, T.REFERENCE_GRANT);
    assert.equal(grant.inputs.metadata.namespace, 'kourier-system');
    assert.deepEqual(grant.inputs.spec.from, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'consilium-test' }]);
    assert.ok(route.dependencies.includes(grant.urn));
  });

  it('routes parameterised paths by expression and method-limited ones by method, most specific first', () => {
    const settings = fixtureSettings({ gateway });
    const rules = routeRules(settings, {
      http: [
        { prefix: '/v1/cases', function: 'cases' },
        { prefix: '/v1/cases/:id/opinion.pdf', function: 'opinions' },
        { prefix: '/v1/me', function: 'identity' },
        { prefix: '/v1/me', function: 'compliance', methods: ['DELETE'] },
      ],
      events: [],
      cron: [],
    });
    const hosts = rules.map((r) => r.filters[0]!.urlRewrite.hostname.split('.')[0]);
    assert.ok(hosts.indexOf('opinions') < hosts.indexOf('cases'), 'the deeper path is matched first');
    assert.ok(hosts.indexOf('compliance') < hosts.indexOf('identity'), 'the method-limited rule is matched first');
    const opinion = rules[hosts.indexOf('opinions')]!.matches[0]!.path;
    assert.equal(opinion.type, 'RegularExpression');
    const expression = new RegExp(opinion.value);
    assert.ok(expression.test('/v1/cases/c-1/opinion.pdf'));
    assert.ok(!expression.test('/v1/cases/c-1/opinionXpdf'), 'literal dots stay literal');
    assert.ok(!expression.test('/v1/cases/c-1/x/opinion.pdf'), 'a parameter is one segment');
    assert.deepEqual(rules[hosts.indexOf('compliance')]!.matches, [{ path: { type: 'PathPrefix', value: '/v1/me' }, method: 'DELETE' }]);
  });

  it('makes no route without a Gateway, and refuses a prefix given to two functions', async () => {
    const { registered } = await deployFixture();
    assert.equal(byType(registered, T.HTTP_ROUTE).length, 0);
    const clash = { ...fixture, http: [...fixture.http, { prefix: '/v1/cases' as const, function: 'matching' }] };
    await assertRefused(fixtureSettings({ gateway }), clash, /v1\/cases/);
  });
});

describe('bus worker and settings', () => {
  it('runs the always-on bus worker with the platform settings', async () => {
    const { registered } = await deployFixture();
    const worker = one(registered, T.DEPLOYMENT);
    const pod = worker.inputs.spec.template.spec;
    const container = pod.containers[0];
    assert.equal(worker.inputs.spec.replicas, 2);
    assert.deepEqual(container.command, ['node', 'dist/bus-worker.mjs']);
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    assert.equal(pod.enableServiceLinks, false);
    const configMap = runtimeConfigMap(registered);
    assert.deepEqual(container.envFrom, [{ secretRef: { name: 'consilium-env' } }, { configMapRef: { name: configMap.inputs.metadata.name } }]);
    // The worker reaches each function where Knative serves it inside the cluster.
    assert.equal(configMap.inputs.data.FUNCTION_URL_TEMPLATE, 'http://{function}.consilium-test.svc.cluster.local');
    assert.equal(configMap.inputs.data.NODE_ENV, 'production');
    assert.equal(configMap.inputs.data.LOG_LEVEL, 'debug');
  });

  it('creates every Kubernetes object through the explicit provider, never the ambient kubeconfig', async () => {
    const { registered } = await deployFixture();
    const objects = registered.filter((r) => r.type.startsWith('kubernetes:'));
    assert.ok(objects.length > 0);
    for (const r of objects) assert.match(r.provider, /::test-cluster::/, `${r.type} ${r.name}`);
  });

  it('refuses credentials in plain config, floating images and sizes for undeclared functions', async () => {
    assert.throws(() => parseSettings({ ...baseConfig, env: { DATABASE_URL: 'postgres://x' } }), /envSecret/);
    assert.throws(() => parseSettings({ ...baseConfig, env: { PORT: '1' } }), /set by the platform/);
    assert.throws(() => parseSettings({ ...baseConfig, image: 'registry.example.com/consilium:latest' }), /image/);
    assert.throws(() => parseSettings({ ...baseConfig, image: 'registry.example.com/consilium' }), /image/);
    assert.throws(() => parseSettings({ ...baseConfig, target: 'mars' }), /target/);
    assert.throws(() => parseSettings({ ...baseConfig, workerReplicas: 3 }), /workerReplicas/);
    const sizes = fixtureSettings({ functionSizes: { matchnig: { maxScale: 2 } } });
    await assertRefused(sizes, fixture, /matchnig/);
    assert.throws(() => sizeOf(fixtureSettings({ functionSizes: { cases: { minScale: 5, maxScale: 2 } } }), 'cases'), /minScale/);
  });

  it('sizes documents for OCR unless the stack says otherwise', () => {
    assert.equal(sizeOf(parseSettings(baseConfig), 'documents').memory, '2Gi');
    assert.ok(sizeOf(parseSettings(baseConfig), 'documents').timeoutSeconds >= 300);
    assert.equal(sizeOf(parseSettings(baseConfig), 'cases').memory, '256Mi');
    assert.equal(sizeOf(parseSettings({ ...baseConfig, functionSizes: { documents: { memory: '4Gi' } } }), 'documents').memory, '4Gi');
  });

  it('keeps generated names within 63 characters and distinct', () => {
    const long = 'a'.repeat(40);
    const a = objectName(long, 'case.submitted.with.a.very.long.name.v1');
    const b = objectName(long, 'case.submitted.with.a.very.long.name.v2');
    assert.ok(a.length <= 63 && b.length <= 63);
    assert.notEqual(a, b);
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('Knative schema', () => {
  it('accepts every generated Knative object', async () => {
    const { registered } = await deployFixture();
    const knative = registered.filter((r) => /knative\.dev/.test(r.type));
    assert.equal(knative.length, 2 /* Services */ + 2 /* Triggers */ + 1 /* Broker */ + 1 /* PingSource */);
    for (const r of knative) validateKnative(r);
  });

  it('would reject a malformed one (the check is not a no-op)', async () => {
    const { registered } = await deployFixture();
    const service = structuredClone(byType(registered, T.SERVICE)[0]!);
    service.inputs.spec.template.spec.containerConcurrency = 'fifty';
    assert.throws(() => validateKnative(service), /containerConcurrency/);
  });
});

describe('the real triggers', () => {
  it('deploys exactly the functions npm run build bundles, with an object per declaration', async () => {
    const declarations = declaredTriggers();
    const settings = fixtureSettings({ functionSizes: {}, gateway: { name: 'public', namespace: 'gateways' } });
    const { registered } = await deployFixture(settings, declarations);
    assert.deepEqual(functionNames(declarations), declaredFunctionNames());
    assert.deepEqual(byType(registered, T.SERVICE).map((s) => s.inputs.metadata.name).sort(), declaredFunctionNames());
    assert.equal(byType(registered, T.TRIGGER).length, declarations.events.length);
    assert.equal(byType(registered, T.PING).length, declarations.cron.length);
    for (const r of registered.filter((x) => /knative\.dev/.test(x.type))) validateKnative(r);
    if (declarations.http.length) {
      const rules: any[] = one(registered, T.HTTP_ROUTE).inputs.spec.rules;
      const matches = rules.flatMap((r) => r.matches.map((m: any) => m.path));
      assert.equal(matches.length, declarations.http.reduce((n, t) => n + (t.methods?.length ?? 1), 0));
      for (const { prefix } of declarations.http) {
        // A concrete request path for the prefix (parameters filled in) is matched by some rule.
        const path = prefix.replace(/:[^/]+/g, 'x-1');
        const hit = matches.some((m: any) => (m.type === 'PathPrefix' ? m.value === prefix : new RegExp(m.value).test(path)));
        assert.ok(hit, `a match for ${prefix}`);
      }
    }
  });

  it('runs infra/index.ts from stack config', async () => {
    const registered = await mockRuntime(
      {
        'consilium:target': 'onprem',
        'consilium:image': baseConfig.image,
        'consilium:domain': baseConfig.domain,
        'consilium:acmeEmail': baseConfig.acmeEmail,
        'consilium:kubeconfig': 'apiVersion: v1\nkind: Config\n',
        'consilium:dataSeed': 'seed-for-the-program-test',
        'consilium:appSecrets': JSON.stringify({ PLATFORM_SECRET: 'p'.repeat(40) }),
        'consilium:functionSize': JSON.stringify({ maxScale: 4 }),
        'consilium:workerReplicas': '2',
      },
      ['consilium:kubeconfig', 'consilium:dataSeed', 'consilium:appSecrets'],
    );
    const program = await import('./index.ts');
    await new Promise((resolve) => program.namespace.apply(resolve));
    await quiet(registered);
    const provider = one(registered, 'pulumi:providers:kubernetes');
    assert.equal(provider.inputs.namespace, 'consilium');
    assert.deepEqual(byType(registered, T.SERVICE).map((s) => s.inputs.metadata.name).sort(), declaredFunctionNames());
    for (const service of byType(registered, T.SERVICE)) {
      assert.equal(service.inputs.spec.template.metadata.annotations['autoscaling.knative.dev/max-scale'], '4');
    }
    assert.equal(named(registered, T.DEPLOYMENT, 'bus-worker').inputs.spec.replicas, 2);
    assert.deepEqual(program.functions, declaredFunctionNames());
    // appSecrets became the operator's Secret, which every workload reads first.
    assert.equal(named(registered, 'kubernetes:core/v1:Secret', 'consilium-env').inputs.stringData.PLATFORM_SECRET, 'p'.repeat(40));
    for (const r of registered.filter((x) => x.type.startsWith('kubernetes:') && !/helm|yaml\/v2/.test(x.type))) assertWellFormed(r);
  });
});
