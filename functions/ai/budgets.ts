import { AiBudgetThresholdReachedV1 } from '../../events/triage.ts';
import { emit } from '../../shared/bus/emit.ts';
import type { Sql, Tx } from '../../shared/db/index.ts';
import type { AiSettings } from './config.ts';
import { insertBudgetAlert, spendByProvider } from './queries.ts';

/** The UTC month an instant falls in, as budgets count it: `YYYY-MM`. */
export const monthOf = (at: Date) => at.toISOString().slice(0, 7);

/** Spend this month, overall and per provider, in micro-units. */
export interface Spend {
  month: string;
  overall: number;
  byProvider: ReadonlyMap<string, number>;
}

/**
 * This month's spend.
 *
 * @example
 * const spend = await currentSpend(db(), new Date());
 */
export async function currentSpend(sql: Sql | Tx, now: Date): Promise<Spend> {
  const month = monthOf(now);
  const byProvider = await spendByProvider(sql, month);
  return { month, overall: [...byProvider.values()].reduce((a, b) => a + b, 0), byProvider };
}

/**
 * Which providers routing must skip because a budget is spent: 'all' when the overall budget is, else those whose
 * own budget is. At 100 % the case goes to the built-in analyser.
 *
 * @example
 * overBudget(settings, spend); // Set { 'openai' } or 'all'
 */
export function overBudget(settings: AiSettings, spend: Spend): 'all' | Set<string> {
  if (settings.monthlyBudgetMicros !== undefined && spend.overall >= settings.monthlyBudgetMicros) return 'all';
  const over = new Set<string>();
  for (const p of settings.providers) {
    if (p.monthlyBudgetMicros !== undefined && (spend.byProvider.get(p.name) ?? 0) >= p.monthlyBudgetMicros) over.add(p.name);
  }
  return over;
}

/**
 * Emits ai.budget.threshold-reached.v1 the first time this month a budget (overall or a provider's) reaches 80 %
 * and 100 %, in the transaction that recorded the spending.
 *
 * @example
 * await transaction(async (tx) => { await insertUsage(tx, row); await announceThresholds(tx, settings, now); });
 */
export async function announceThresholds(tx: Tx, settings: AiSettings, now: Date): Promise<void> {
  const spend = await currentSpend(tx, now);
  const scopes: { scope: 'overall' | 'provider'; provider?: string; spent: number; budget: number | undefined }[] = [
    { scope: 'overall', spent: spend.overall, budget: settings.monthlyBudgetMicros },
    ...settings.providers.map((p) => ({ scope: 'provider' as const, provider: p.name, spent: spend.byProvider.get(p.name) ?? 0, budget: p.monthlyBudgetMicros })),
  ];
  for (const s of scopes) {
    if (s.budget === undefined) continue;
    for (const threshold of [settings.warnAtPercent, 100] as const) {
      // Integer comparison: spent / budget >= threshold %, without floats.
      if (s.spent * 100 < s.budget * threshold) continue;
      const scopeKey = s.provider ? `provider:${s.provider}` : 'overall';
      if (!(await insertBudgetAlert(tx, { scope: scopeKey, month: spend.month, threshold }))) continue;
      await emit(tx, AiBudgetThresholdReachedV1, {
        source: 'ai',
        subject: scopeKey,
        data: {
          scope: s.scope,
          ...(s.provider ? { provider: s.provider } : {}),
          month: spend.month,
          threshold,
          spentMicros: s.spent,
          budgetMicros: s.budget,
          currency: settings.currency,
        },
      });
    }
  }
}
