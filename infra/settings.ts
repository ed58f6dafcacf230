import type * as pulumi from '@pulumi/pulumi';
import * as v from 'valibot';
import { VERSIONS, type VersionKey } from './versions.ts';

/** Where the cluster comes from. Only `onprem` (an existing cluster) is wired; see README for the cloud ones. */
export const TARGETS = ['aws', 'azure', 'gcp', 'onprem'] as const;

/**
 * Settings that hold credentials. They live in the Kubernetes Secret named by `envSecret`, never in the plain `env`
 * stack config, which becomes a ConfigMap anyone with read access to the namespace can see.
 */
export const SECRET_SETTINGS = [
  'DATABASE_URL',
  'NATS_URL',
  'PLATFORM_SECRET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'UPSTASH_REDIS_REST_TOKEN',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'ADYEN_HMAC_KEY',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_ACCESS_TOKEN',
  'SMTP_URL',
  'AUTH_SIGNING_KEYS',
  'IDENTITY_MASTER_KEY',
] as const;

/**
 * Settings the platform computes itself: `NODE_ENV` is always production; Knative reserves `PORT`; the rest are
 * derived from the namespace, the domain or the workload and would silently disagree if set by hand.
 */
const DERIVED_SETTINGS = [
  'NODE_ENV',
  'PORT',
  'PUBLIC_URL',
  'FUNCTION_URL_TEMPLATE',
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'PLATFORM_OIDC_ISSUER',
  'BUS_BROKER_URL',
  // Written by the stack into its data Secret (data/secret.ts); a ConfigMap value would shadow them.
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'UPSTASH_REDIS_REST_URL',
];

const dnsLabel = v.pipe(v.string(), v.regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 label'));
const quantity = v.pipe(v.string(), v.regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes quantity'));
const isoDuration = v.pipe(v.string(), v.regex(/^PT(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?$/, 'must be an ISO 8601 duration such as PT2S'));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

const SizeSchema = v.object({
  /** Kept at 0 by default: a function that is not called costs nothing. */
  minScale: v.optional(int(0, 100), 0),
  maxScale: v.optional(int(1, 1000), 10),
  /** Requests one pod handles at once before Knative adds another. */
  containerConcurrency: v.optional(int(1, 1000), 50),
  /** Longest a single request may run (Knative's request timeout). */
  timeoutSeconds: v.optional(int(1, 900), 60),
  cpu: v.optional(quantity, '250m'),
  memory: v.optional(quantity, '256Mi'),
  cpuLimit: v.optional(quantity, '1'),
});

/** Per-function overrides: every field optional, the defaults come from `functionSize`. */
const PartialSizeSchema = v.partial(v.object({ ...SizeSchema.entries }));

/**
 * Sizes some functions need whatever the stack says (stack `functionSizes` still wins): `documents` runs OCR
 * (tesseract.js, pdf.js) on uploads — memory for the page images, CPU for recognition, minutes not seconds.
 */
export const FUNCTION_SIZE_DEFAULTS: Readonly<Record<string, Partial<v.InferOutput<typeof SizeSchema>>>> = {
  documents: { cpu: '1', cpuLimit: '2', memory: '2Gi', timeoutSeconds: 300, containerConcurrency: 4 },
};

const ClusterSchema = v.object({
  nodeCount: v.optional(int(1, 100), 3),
  /** Machine type in the target's own vocabulary (m6i.large, Standard_D4s_v5, e2-standard-4); a default per target. */
  nodeSize: v.optional(v.string()),
  /** Cloud region / location (aws region, azure location, gcp region). */
  region: v.optional(v.string()),
  /** aws: existing private subnets (two zones at least) and the VPC's CIDR, which may reach RDS. */
  subnetIds: v.optional(v.array(v.string()), []),
  vpcCidr: v.optional(v.string(), '10.0.0.0/16'),
  /** gcp: the project. */
  project: v.optional(v.string()),
  /** The StorageClass for in-cluster volumes (CloudNativePG, NATS, MinIO, Redis); the cluster default when unset. */
  storageClass: v.optional(v.string()),
});

const DataSchema = v.object({
  /** CloudNativePG instances (onprem) — 3 gives a synchronous-capable primary and two replicas. */
  postgresInstances: v.optional(int(1, 9), 3),
  postgresStorage: v.optional(quantity, '20Gi'),
  /** Managed database size in the target's vocabulary (db.t4g.medium, Standard_B2ms, db-custom-2-7680). */
  postgresTier: v.optional(v.string()),
  natsStorage: v.optional(quantity, '10Gi'),
  objectStorage: v.optional(quantity, '50Gi'),
  bucket: v.optional(v.string(), 'consilium-documents'),
  poolerInstances: v.optional(int(1, 10), 2),
});

const SettingsSchema = v.pipe(
  v.object({
    target: v.picklist(TARGETS, `must be one of ${TARGETS.join(', ')}`),
    namespace: v.optional(dnsLabel, 'consilium'),
    /** `registry/repo:tag` or `…@sha256:…`; an untagged image would float and revisions would not be reproducible. */
    image: v.pipe(
      v.string(),
      v.check((s) => /^[^\s@]+(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/.test(s) && !/:latest$/.test(s), 'must be registry/repo:tag (not latest) or pinned by digest'),
    ),
    domain: v.pipe(v.string(), v.regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a DNS domain such as api.example.com')),
    envSecret: v.optional(dnsLabel, 'consilium-env'),
    env: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment name')), v.string()), {}),
    functionSize: v.optional(SizeSchema, {}),
    functionSizes: v.optional(v.record(v.string(), PartialSizeSchema), {}),
    /** The relay is safe to run twice (SKIP LOCKED leases); a second replica only buys availability. */
    workerReplicas: v.optional(int(1, 2), 1),
    broker: v.optional(dnsLabel, 'default'),
    /** Retries after the first attempt: 4 makes 5 attempts in all, as EVENT_MAX_ATTEMPTS does for the bus worker. */
    eventRetry: v.optional(int(0, 100), 4),
    eventBackoffDelay: v.optional(isoDuration, 'PT2S'),
    /** Budget for a scale-from-zero start; added to a function's timeout to bound one delivery attempt. */
    coldStartSeconds: v.optional(int(1, 600), 30),
    deadLetterUri: v.optional(v.pipe(v.string(), v.url())),
    /** The Gateway API Gateway whose listener serves `domain`; no public routes are made without it. */
    gateway: v.optional(v.object({ name: dnsLabel, namespace: dnsLabel, sectionName: v.optional(v.string()) })),
    /** Knative's cluster-local gateway, which routes by Host to every Knative Service (Kourier's by default). */
    knativeLocalGateway: v.optional(
      v.object({ name: v.optional(dnsLabel, 'kourier-internal'), namespace: v.optional(dnsLabel, 'kourier-system'), port: v.optional(int(1, 65535), 80) }),
      {},
    ),
    cluster: v.optional(ClusterSchema, {}),
    data: v.optional(DataSchema, {}),
    /** Pinned versions (see versions.ts); an entry here replaces one default. */
    versions: v.optional(v.partial(v.object(Object.fromEntries(Object.keys(VERSIONS).map((k) => [k, v.string()])) as Record<VersionKey, v.StringSchema<undefined>>)), {}),
    /** Contact for Let's Encrypt (the ClusterIssuer for `domain`). */
    acmeEmail: v.optional(v.pipe(v.string(), v.email())),
    /** Let's Encrypt directory; point at staging while trying a new stack. */
    acmeServer: v.optional(v.pipe(v.string(), v.url()), 'https://acme-v02.api.letsencrypt.org/directory'),
    /**
     * The cluster's service-account token issuer (`kubectl get --raw /.well-known/openid-configuration`). Functions
     * accept Knative Eventing OIDC tokens from it; the cloud targets know theirs, onprem defaults to the in-cluster one.
     */
    oidcIssuer: v.optional(v.pipe(v.string(), v.url())),
    /** Where functions reach the outside (payment and AI providers): CIDRs; private ranges are always excluded. */
    externalEgress: v.optional(v.array(v.string()), ['0.0.0.0/0']),
    /** Functions that call out although their code does not show it (e.g. SMTP through a library). */
    externalFunctions: v.optional(v.array(v.string()), []),
    /** The API server's address for egress policies (onprem), e.g. 10.0.0.1/32; clouds reach it without one. */
    apiServerCidr: v.optional(v.string()),
  }),
  v.check(
    (s) => !Object.keys(s.env).some((k) => (SECRET_SETTINGS as readonly string[]).includes(k)),
    `env: ${SECRET_SETTINGS.join(', ')} belong in the Kubernetes Secret named by envSecret, not in plain config`,
  ),
  v.check((s) => !Object.keys(s.env).some((k) => DERIVED_SETTINGS.includes(k)), `env: ${DERIVED_SETTINGS.join(', ')} are set by the platform`),
);

/** One function's scaling, timeout and resources. */
export type FunctionSize = v.InferOutput<typeof SizeSchema>;
/** The parsed stack configuration. */
export type Settings = v.InferOutput<typeof SettingsSchema>;

/** Config keys read from the stack (`consilium:<key>`); the kubeconfig is read apart as a secret. */
const SETTING_KEYS = Object.keys(SettingsSchema.entries) as (keyof Settings)[];

/**
 * Validates raw stack config into {@link Settings}, naming every bad key at once (as `shared/config` does for env).
 *
 * @example
 * const settings = parseSettings({ target: 'onprem', image: 'ghcr.io/acme/consilium:1.2.0', domain: 'api.example.com' });
 * settings.namespace; // 'consilium'
 */
export function parseSettings(raw: Record<string, unknown>): Settings {
  const parsed = v.safeParse(SettingsSchema, raw);
  if (!parsed.success) {
    throw new Error(`Invalid stack config:\n${parsed.issues.map((i) => `  - ${v.getDotPath(i) ?? 'config'}: ${i.message}`).join('\n')}`);
  }
  return parsed.output;
}

/**
 * A function's size: the stack-wide `functionSize`, then the function's built-in needs (FUNCTION_SIZE_DEFAULTS), then
 * its own `functionSizes` entry on top.
 *
 * @example
 * sizeOf(settings, 'identity').maxScale;
 */
export function sizeOf(settings: Settings, functionName: string): FunctionSize {
  const size = { ...settings.functionSize, ...FUNCTION_SIZE_DEFAULTS[functionName], ...settings.functionSizes[functionName] };
  if (size.minScale > size.maxScale) throw new Error(`functionSizes.${functionName}: minScale ${size.minScale} exceeds maxScale ${size.maxScale}`);
  return size;
}

/**
 * The pinned versions with the stack's overrides on top.
 *
 * @example
 * versionsOf(settings).postgres; // '17'
 */
export function versionsOf(settings: Settings): Record<VersionKey, string> {
  return { ...VERSIONS, ...settings.versions } as Record<VersionKey, string>;
}

/** Keys whose stack value is JSON (objects and numbers), read off the schema so a new key cannot be misread. */
const STRUCTURED = new Set(SETTING_KEYS.filter((key) => !['string', 'picklist'].includes(baseType(SettingsSchema.entries[key]))));

function baseType(schema: { type: string; wrapped?: unknown }): string {
  return schema.type === 'optional' ? baseType(schema.wrapped as { type: string }) : schema.type;
}

/**
 * Reads every known `consilium:*` key from the stack; unset keys are left out so their defaults apply.
 *
 * @example
 * const settings = parseSettings(readStackConfig(new pulumi.Config()));
 */
export function readStackConfig(config: pulumi.Config): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = STRUCTURED.has(key) ? config.getObject<unknown>(key) : config.get(key);
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}
