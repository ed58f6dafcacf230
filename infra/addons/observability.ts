/**
 * Telemetry: an OpenTelemetry collector (OTLP in; traces turned into RED metrics by the span-metrics connector),
 * Prometheus + Alertmanager + Grafana (kube-prometheus-stack), the generated dashboards and alert rules.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Declarations } from '../declarations.ts';
import { alertGroups } from '../observability/alerts.ts';
import { dashboards } from '../observability/dashboards.ts';
import { NAMESPACES, serviceHost } from '../roles.ts';
import { versionsOf, type Settings } from '../settings.ts';
import { labels } from '../workload.ts';

/** Where every workload sends OTLP over HTTP (OTEL_EXPORTER_OTLP_ENDPOINT). */
export const OTLP_ENDPOINT = `http://${serviceHost(NAMESPACES.observability, 'otel-collector')}:4318`;

/**
 * The collector's configuration: OTLP receivers, span metrics for RED, a Prometheus endpoint scraped through a
 * ServiceMonitor; traces are kept only as metrics (a trace store can be added as another exporter).
 *
 * @example
 * otelCollectorValues().config.connectors.spanmetrics; // {…}
 */
export function otelCollectorValues() {
  return {
    fullnameOverride: 'otel-collector',
    mode: 'deployment',
    replicaCount: 2,
    image: { repository: 'otel/opentelemetry-collector-contrib' },
    // The Prometheus exporter's port (the chart's own `metrics` port is the collector's self-telemetry).
    ports: { promexporter: { enabled: true, containerPort: 8889, servicePort: 8889, protocol: 'TCP' } },
    serviceMonitor: { enabled: true, metricsEndpoints: [{ port: 'promexporter' }] },
    config: {
      receivers: { otlp: { protocols: { http: { endpoint: '0.0.0.0:4318' }, grpc: { endpoint: '0.0.0.0:4317' } } } },
      connectors: { spanmetrics: { histogram: { explicit: { buckets: ['5ms', '25ms', '100ms', '250ms', '1s', '2.5s', '10s', '30s', '120s'] } } } },
      processors: { batch: {}, memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 } },
      exporters: { prometheus: { endpoint: '0.0.0.0:8889', resource_to_telemetry_conversion: { enabled: false } }, debug: { verbosity: 'basic' } },
      service: {
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['spanmetrics', 'debug'] },
          metrics: { receivers: ['otlp', 'spanmetrics'], processors: ['memory_limiter', 'batch'], exporters: ['prometheus'] },
        },
      },
    },
  };
}

/**
 * kube-prometheus-stack's values: pick up every ServiceMonitor / PrometheusRule in the cluster, Grafana with the
 * dashboard sidecar watching all namespaces and its admin password from a Secret.
 *
 * @example
 * prometheusStackValues().grafana.admin.existingSecret; // 'grafana-admin'
 */
export function prometheusStackValues() {
  return {
    prometheus: {
      prometheusSpec: {
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        retention: '15d',
      },
    },
    grafana: {
      admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
      sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' } },
    },
  };
}

/**
 * Installs the collector, the Prometheus stack, the dashboards and the rules.
 *
 * @example
 * observability(settings, declaredTriggers(), secretPassword(seed, 'grafana'), { provider });
 */
export function observability(settings: Settings, declarations: Declarations, grafanaPassword: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  const versions = versionsOf(settings);
  const ns = NAMESPACES.observability;
  const namespace = new k8s.core.v1.Namespace('observability', { metadata: { name: ns, labels: labels('observability') } }, opts);
  const inNs = { ...opts, dependsOn: [namespace] };
  const admin = new k8s.core.v1.Secret(
    'grafana-admin',
    { metadata: { name: 'grafana-admin', namespace: ns, labels: labels('grafana') }, stringData: { 'admin-user': 'admin', 'admin-password': grafanaPassword } },
    inNs,
  );
  const stack = new k8s.helm.v3.Release(
    'prometheus-stack',
    {
      name: 'prometheus',
      chart: 'kube-prometheus-stack',
      version: versions.prometheusStackChart,
      repositoryOpts: { repo: 'https://prometheus-community.github.io/helm-charts' },
      namespace: ns,
      values: prometheusStackValues(),
    },
    { ...opts, dependsOn: [namespace, admin] },
  );
  const collector = new k8s.helm.v3.Release(
    'otel-collector',
    {
      name: 'otel-collector',
      chart: 'opentelemetry-collector',
      version: versions.otelCollectorChart,
      repositoryOpts: { repo: 'https://open-telemetry.github.io/opentelemetry-helm-charts' },
      namespace: ns,
      values: otelCollectorValues(),
    },
    // Its ServiceMonitor is a Prometheus Operator CRD.
    { ...opts, dependsOn: [stack] },
  );
  const boards = Object.entries(dashboards(declarations)).map(
    ([file, model]) =>
      new k8s.core.v1.ConfigMap(
        `dashboard-${file.replace(/\.json$/, '')}`,
        {
          metadata: { name: `consilium-dashboard-${file.replace(/\.json$/, '')}`, namespace: ns, labels: { ...labels('dashboards'), grafana_dashboard: '1' } },
          data: { [file]: JSON.stringify(model, null, 1) },
        },
        inNs,
      ),
  );
  const rules = new k8s.apiextensions.CustomResource(
    'alert-rules',
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'consilium', namespace: ns, labels: labels('alerts') },
      spec: { groups: alertGroups(settings, declarations) },
    },
    { ...opts, dependsOn: [stack] },
  );
  return [namespace, admin, stack, collector, ...boards, rules];
}
