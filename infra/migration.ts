import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { contentName } from './names.ts';
import { ROLES, roleLabel } from './roles.ts';
import type { Settings } from './settings.ts';
import { bundleCommand, containerSecurity, envFrom, labels, podDefaults, type EnvSources } from './workload.ts';

/**
 * The migration Job's spec: `node dist/migrate.mjs` with the image being deployed and the same settings as the
 * functions.
 *
 * @example
 * migrationJobSpec(settings, env).template.spec?.containers[0]?.command; // ['node', 'dist/migrate.mjs']
 */
export function migrationJobSpec(settings: Settings, env: EnvSources) {
  return {
    backoffLimit: 3,
    // A migration stuck on its advisory lock for ten minutes is a problem to look at, not to wait out.
    activeDeadlineSeconds: 600,
    template: {
      metadata: { labels: { ...labels('migrate'), ...roleLabel(ROLES.migrate) } },
      spec: {
        ...podDefaults(),
        restartPolicy: 'Never',
        containers: [
          {
            name: 'migrate',
            image: settings.image,
            command: bundleCommand('migrate'),
            envFrom: envFrom(env),
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
            securityContext: containerSecurity(),
          },
        ],
      },
    },
  };
}

/**
 * The migration Job. Pulumi waits for a Job to complete before creating what depends on it, so the functions and
 * the worker (which `dependsOn` it) get no new revision until the schema is ready for them.
 *
 * Its name hashes its spec: a Job's pod template is immutable, so a new image (or new settings) makes a new Job
 * that runs the migrations again — forward-only and under an advisory lock, so a rerun is harmless — while an
 * unchanged deploy leaves the finished Job alone. The name is known at preview, so functions can carry it.
 * No `ttlSecondsAfterFinished`: Kubernetes deleting the Job would read as drift on every refresh.
 *
 * @example
 * const job = migrationJob(settings, { secretName: 'consilium-env', configMapName }, { provider });
 */
export function migrationJob(settings: Settings, env: EnvSources, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
  const spec = migrationJobSpec(settings, env);
  return new k8s.batch.v1.Job(
    'migrate',
    { metadata: { name: migrationJobName(settings, env), namespace: settings.namespace, labels: labels('migrate') }, spec },
    opts,
  );
}

/**
 * The name of the Job {@link migrationJob} creates for these settings.
 *
 * @example
 * migrationJobName(settings, env); // 'migrate-' and 8 hex digits
 */
export function migrationJobName(settings: Settings, env: EnvSources): string {
  return contentName('migrate', migrationJobSpec(settings, env));
}
