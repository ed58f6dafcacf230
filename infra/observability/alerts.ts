/**
 * Alert rules as one PrometheusRule (Prometheus Operator), generated like the dashboards: per function error ratio
 * and latency against its own timeout, dead letters per consumer, relay backlog, SLA breaches, AI spend.
 */
import { functionNames, type Declarations } from '../declarations.ts';
import { sizeOf, type Settings } from '../settings.ts';
import { METRICS, red } from './metrics.ts';

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'page' | 'ticket' };
  annotations: { summary: string };
}

/**
 * The rule groups of the PrometheusRule.
 *
 * @example
 * alertGroups(settings, declaredTriggers())[0].rules[0].alert; // 'FunctionErrorRatio_cases'
 */
export function alertGroups(settings: Settings, declarations: Declarations): { name: string; rules: Rule[] }[] {
  const fns = functionNames(declarations);
  const functionRules = fns.flatMap((fn): Rule[] => {
    const q = red(fn);
    // Alert well before a request hits Knative's hard timeout for this function.
    const slowMs = sizeOf(settings, fn).timeoutSeconds * 1000 * 0.5;
    return [
      { alert: `FunctionErrorRatio_${fn}`, expr: `${q.errors} > 0.05`, for: '10m', labels: { severity: 'page' }, annotations: { summary: `${fn}: more than 5% of requests fail` } },
      { alert: `FunctionSlow_${fn}`, expr: `${q.p95Ms} > ${slowMs}`, for: '15m', labels: { severity: 'ticket' }, annotations: { summary: `${fn}: p95 latency above half its timeout` } },
    ];
  });
  const consumers = [...new Set(declarations.events.map((e) => e.function))].sort();
  const busRules: Rule[] = [
    ...consumers.map((fn): Rule => ({
      alert: `DeadLetters_${fn}`,
      expr: `sum(${METRICS.deadLetters}{consumer="${fn}"}) > 0`,
      for: '5m',
      labels: { severity: 'page' },
      annotations: { summary: `${fn}: events dead-lettered (npm run ops -- dead-letters)` },
    })),
    { alert: 'OutboxBacklog', expr: `sum(${METRICS.outboxPending}) > 1000`, for: '10m', labels: { severity: 'page' }, annotations: { summary: 'the outbox relay is falling behind' } },
  ];
  const businessRules: Rule[] = [
    { alert: 'SlaBreaches', expr: `sum(increase(${METRICS.slaBreaches}[1h])) > 0`, for: '0m', labels: { severity: 'ticket' }, annotations: { summary: 'a turnaround promise was missed in the last hour' } },
    {
      alert: 'DocumentsSaturated',
      expr: `sum(rate(${METRICS.extractionRefused}[5m])) > 0`,
      for: '15m',
      labels: { severity: 'ticket' },
      annotations: { summary: 'documents: replicas keep refusing uploads to read (extraction queue full): more replicas or extraction threads' },
    },
    { alert: 'AiSpendSpike', expr: `sum(increase(${METRICS.aiSpend}[1h])) > 2 * sum(increase(${METRICS.aiSpend}[1h] offset 1d))`, for: '30m', labels: { severity: 'ticket' }, annotations: { summary: 'AI spend this hour is twice yesterday\'s' } },
  ];
  return [
    { name: 'consilium.functions', rules: functionRules },
    { name: 'consilium.bus', rules: busRules },
    { name: 'consilium.business', rules: businessRules },
  ];
}
