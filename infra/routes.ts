/**
 * Public routing: `https://<domain><prefix>…` → the function `triggers/http.ts` names for that prefix, as one
 * Gateway API HTTPRoute generated from the declarations.
 *
 * Why not simpler objects: a Knative DomainMapping maps a whole host to one Service (no paths), and an Ingress or
 * HTTPRoute cannot point at a Knative Service directly (its Kubernetes Service is an ExternalName to Knative's own
 * gateway, which most controllers refuse as a backend). So each rule sends its prefixes to Knative's cluster-local
 * gateway and rewrites Host to the function's cluster-local name, which that gateway routes on. Only declared
 * prefixes are routed: a function's internal `/_events` and `/_cron` are not reachable through this route.
 *
 * Needs a cluster with the Gateway API CRDs and an implementation that supports the (extended) URLRewrite
 * hostname filter and cross-namespace backends (Envoy Gateway, Istio, …); TLS for `domain` is the Gateway's.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { bySpecificity, overlaps } from '../triggers/http-order.ts';
import type { HttpTrigger } from '../triggers/types.ts';
import type { Declarations } from './declarations.ts';
import type { Settings } from './settings.ts';
import { labels } from './workload.ts';

const GATEWAY_API = 'gateway.networking.k8s.io';

/**
 * The HTTPRoute's rules: one per function (Gateway API allows at most 16 rules but 64 matches each), matching all
 * its triggers. Path matching is by whole segments, so `/v1/me` does not catch `/v1/media`; a trigger with
 * parameters (`/v1/cases/:id/opinion`) becomes a regular expression, one limited to methods gets a match per
 * method. Rules come most specific first, as the local runtime routes (`triggers/http-order.ts`).
 *
 * @example
 * routeRules(settings, { http: [{ prefix: '/v1/cases', function: 'cases' }], events: [], cron: [] });
 * // [{ matches: [{ path: { type: 'PathPrefix', value: '/v1/cases' } }], filters: [URLRewrite to cases.<ns>.svc.cluster.local], backendRefs: [the local gateway] }]
 */
export function routeRules(settings: Settings, declarations: Declarations) {
  declarations.http.forEach((trigger, i) => {
    const clash = declarations.http.slice(0, i).find((earlier) => overlaps(earlier, trigger));
    if (clash) throw new Error(`http ${trigger.prefix}: declared for ${clash.function} and ${trigger.function}`);
  });
  const byFunction = new Map<string, HttpTrigger[]>();
  for (const trigger of bySpecificity(declarations.http)) {
    byFunction.set(trigger.function, [...(byFunction.get(trigger.function) ?? []), trigger]);
  }
  if (byFunction.size > 16) throw new Error(`http: ${byFunction.size} public functions exceed one HTTPRoute's 16 rules; split the route`);
  const local = settings.knativeLocalGateway;
  return [...byFunction].map(([fn, triggers]) => ({
    matches: triggers.flatMap(pathMatches),
    filters: [{ type: 'URLRewrite', urlRewrite: { hostname: `${fn}.${settings.namespace}.svc.cluster.local` } }],
    backendRefs: [{ group: '', kind: 'Service', name: local.name, namespace: local.namespace, port: local.port }],
  }));
}

function pathMatches(trigger: HttpTrigger) {
  const path = trigger.prefix.includes('/:')
    ? {
        type: 'RegularExpression',
        value: `^${trigger.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}(/.*)?$`,
      }
    : { type: 'PathPrefix', value: trigger.prefix };
  return trigger.methods ? trigger.methods.map((method) => ({ path, method })) : [{ path }];
}

/**
 * Declares the HTTPRoute on the configured Gateway, and the ReferenceGrant that lets it send traffic to Knative's
 * gateway in that gateway's namespace (and nothing else there). Nothing is made when no Gateway is configured or no
 * function has a prefix.
 *
 * @example
 * const route = publicRoutes(settings, declaredTriggers(), functionServices(…), { provider });
 */
export function publicRoutes(
  settings: Settings,
  declarations: Declarations,
  services: ReadonlyMap<string, pulumi.Resource>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource | undefined {
  const rules = routeRules(settings, declarations);
  if (!settings.gateway || rules.length === 0) return undefined;
  const local = settings.knativeLocalGateway;
  const grant = new k8s.apiextensions.CustomResource(
    'knative-gateway-grant',
    {
      apiVersion: `${GATEWAY_API}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: { name: `${settings.namespace}-routes`, namespace: local.namespace, labels: labels('routes') },
      spec: {
        from: [{ group: GATEWAY_API, kind: 'HTTPRoute', namespace: settings.namespace }],
        to: [{ group: '', kind: 'Service', name: local.name }],
      },
    },
    opts,
  );
  const { name, namespace, sectionName } = settings.gateway;
  return new k8s.apiextensions.CustomResource(
    'public-routes',
    {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'public', namespace: settings.namespace, labels: labels('routes') },
      spec: {
        parentRefs: [{ group: GATEWAY_API, kind: 'Gateway', name, namespace, ...(sectionName ? { sectionName } : {}) }],
        hostnames: [settings.domain],
        rules,
      },
    },
    { ...opts, dependsOn: [grant, ...services.values()] },
  );
}
