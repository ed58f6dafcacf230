/**
 * Grafana dashboards as JSON, generated from the declarations and the metric names: a RED row per function, a
 * panel per case stage, dead letters per consuming function, SLA breaches and AI spend. Each becomes a ConfigMap
 * labelled `grafana_dashboard`, which Grafana's sidecar loads (no clicking, no drift).
 */
import { CASE_STATUSES } from '../../events/case.ts';
import { functionNames, type Declarations } from '../declarations.ts';
import { METRICS, red } from './metrics.ts';

interface Panel {
  title: string;
  type: 'timeseries' | 'stat';
  targets: { expr: string; legendFormat?: string }[];
  unit?: string;
}

/** A Grafana dashboard model (schemaVersion 39) with panels laid out on a 24-column grid, two per row. */
function dashboard(uid: string, title: string, panels: Panel[]) {
  return {
    uid,
    title,
    schemaVersion: 39,
    tags: ['consilium'],
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [] },
    panels: panels.map((p, i) => ({
      id: i + 1,
      title: p.title,
      type: p.type,
      datasource: { type: 'prometheus', uid: 'prometheus' },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), ...t })),
    })),
  };
}

/**
 * Every dashboard, keyed by file name.
 *
 * @example
 * Object.keys(dashboards(declaredTriggers())); // ['red.json', 'stages.json', 'bus.json', 'business.json']
 */
export function dashboards(declarations: Declarations): Record<string, ReturnType<typeof dashboard>> {
  const fns = functionNames(declarations);
  const redPanels = fns.flatMap((fn): Panel[] => {
    const q = red(fn);
    return [
      { title: `${fn}: requests/s and error ratio`, type: 'timeseries', targets: [{ expr: q.rate, legendFormat: 'req/s' }, { expr: q.errors, legendFormat: 'errors' }] },
      { title: `${fn}: p95 latency`, type: 'timeseries', unit: 'ms', targets: [{ expr: q.p95Ms, legendFormat: 'p95' }] },
    ];
  });
  const stagePanels = CASE_STATUSES.map(
    (stage): Panel => ({
      title: `stage ${stage}: p50 / p95 duration`,
      type: 'timeseries',
      unit: 's',
      targets: [0.5, 0.95].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le) (rate(${METRICS.stageDurationBucket}{stage="${stage}"}[1h])))`, legendFormat: `p${q * 100}` })),
    }),
  );
  const consumers = [...new Set(declarations.events.map((e) => e.function))].sort();
  const busPanels: Panel[] = [
    ...consumers.map((fn): Panel => ({ title: `dead letters: ${fn}`, type: 'stat', targets: [{ expr: `sum(${METRICS.deadLetters}{consumer="${fn}"}) or vector(0)` }] })),
    { title: 'outbox not yet relayed', type: 'timeseries', targets: [{ expr: `sum(${METRICS.outboxPending})` }] },
  ];
  const businessPanels: Panel[] = [
    { title: 'SLA breaches per stage (24h)', type: 'timeseries', targets: [{ expr: `sum by (stage) (increase(${METRICS.slaBreaches}[24h]))`, legendFormat: '{{stage}}' }] },
    { title: 'AI spend per provider (minor units, 24h)', type: 'timeseries', targets: [{ expr: `sum by (provider, currency) (increase(${METRICS.aiSpend}[24h]))`, legendFormat: '{{provider}} {{currency}}' }] },
  ];
  return {
    'red.json': dashboard('consilium-red', 'Consilium — functions (RED)', redPanels),
    'stages.json': dashboard('consilium-stages', 'Consilium — case stage durations', stagePanels),
    'bus.json': dashboard('consilium-bus', 'Consilium — events and dead letters', busPanels),
    'business.json': dashboard('consilium-business', 'Consilium — SLA breaches and AI spend', businessPanels),
  };
}
