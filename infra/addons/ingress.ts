/**
 * Public ingress and certificates: Envoy Gateway implements the Gateway API (routes.ts's HTTPRoute sends each
 * declared prefix to Knative's cluster-local Kourier gateway); cert-manager issues the domain's certificate from
 * Let's Encrypt through an HTTP-01 challenge on that same Gateway.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { NAMESPACES } from '../roles.ts';
import { versionsOf, type Settings } from '../settings.ts';

/** The Gateway this stack makes when the stack config names none. */
export const DEFAULT_GATEWAY = { name: 'public', namespace: NAMESPACES.gateway, sectionName: 'https' } as const;
/** The ClusterIssuer for the domain's certificate. */
export const CLUSTER_ISSUER = 'letsencrypt';
const TLS_SECRET = 'consilium-tls';

/**
 * The ClusterIssuer: ACME with an HTTP-01 solver that answers through the public Gateway.
 *
 * @example
 * clusterIssuerSpec(settings).acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0].name; // 'public'
 */
export function clusterIssuerSpec(settings: Settings) {
  if (!settings.acmeEmail) throw new Error('acmeEmail: needed for the certificate of domain (Let\'s Encrypt account contact)');
  return {
    acme: {
      email: settings.acmeEmail,
      server: settings.acmeServer,
      privateKeySecretRef: { name: `${CLUSTER_ISSUER}-account` },
      solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ kind: 'Gateway', name: DEFAULT_GATEWAY.name, namespace: DEFAULT_GATEWAY.namespace, sectionName: 'http' }] } } }],
    },
  };
}

/**
 * cert-manager, Envoy Gateway, the GatewayClass, the public Gateway (HTTP for the challenge, HTTPS for the domain
 * with the certificate cert-manager makes from the Gateway's annotation) and the ClusterIssuer.
 *
 * @example
 * const ingress = ingressInstall(settings, { provider });
 */
export function ingressInstall(settings: Settings, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const versions = versionsOf(settings);
  const gatewayController = new k8s.helm.v3.Release(
    'envoy-gateway',
    { name: 'eg', chart: 'oci://docker.io/envoyproxy/gateway-helm', version: versions.envoyGatewayChart, namespace: NAMESPACES.gateway, createNamespace: true },
    opts,
  );
  const certManager = new k8s.helm.v3.Release(
    'cert-manager',
    {
      name: 'cert-manager',
      chart: 'cert-manager',
      version: versions.certManagerChart,
      repositoryOpts: { repo: 'https://charts.jetstack.io' },
      namespace: NAMESPACES.certManager,
      createNamespace: true,
      values: {
        crds: { enabled: true },
        config: { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true },
      },
    },
    // Its Gateway API support needs the Gateway API CRDs, which Envoy Gateway's chart installs.
    { ...opts, dependsOn: [gatewayController] },
  );
  const gatewayClass = new k8s.apiextensions.CustomResource(
    'gateway-class',
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'envoy' }, spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' } },
    { ...opts, dependsOn: [gatewayController] },
  );
  const allowed = { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [settings.namespace, DEFAULT_GATEWAY.namespace] }] } } };
  const gateway = new k8s.apiextensions.CustomResource(
    'gateway',
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: DEFAULT_GATEWAY.name, namespace: DEFAULT_GATEWAY.namespace, annotations: { 'cert-manager.io/cluster-issuer': CLUSTER_ISSUER } },
      spec: {
        gatewayClassName: 'envoy',
        listeners: [
          { name: 'http', protocol: 'HTTP', port: 80, hostname: settings.domain, allowedRoutes: allowed },
          { name: 'https', protocol: 'HTTPS', port: 443, hostname: settings.domain, allowedRoutes: allowed, tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: TLS_SECRET }] } },
        ],
      },
    },
    { ...opts, dependsOn: [gatewayClass] },
  );
  const issuer = new k8s.apiextensions.CustomResource(
    'cluster-issuer',
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: CLUSTER_ISSUER }, spec: clusterIssuerSpec(settings) },
    { ...opts, dependsOn: [certManager] },
  );
  return [gatewayController, certManager, gatewayClass, gateway, issuer];
}
