import * as v from 'valibot';
import { SPECIALTIES, type Specialty } from '../../shared/auth/specialties.ts';

/** One external AI provider the router may ask. Prices and budgets are integer micro-units of {@link AiSettings.currency}. */
export interface ProviderSettings {
  /** Unique, lower-case: what usage rows, breakers and budgets are keyed by. */
  name: string;
  /** `openai` also covers vLLM and Ollama (their OpenAI-compatible API, by base URL). */
  kind: 'openai' | 'azure-openai' | 'anthropic';
  /** e.g. https://api.openai.com/v1, http://vllm:8000/v1, https://NAME.openai.azure.com, https://api.anthropic.com */
  baseUrl: string;
  /** The model (for Azure, the deployment name). */
  model: string;
  apiKey: string;
  /** Azure's api-version query parameter, or the anthropic-version header. */
  apiVersion?: string;
  priceMicrosPer1kInput: number;
  priceMicrosPer1kOutput: number;
  monthlyBudgetMicros?: number;
  /** Only cases of these specialties (all when unset). */
  specialties?: Specialty[];
  /** Only urgent cases (e.g. a costlier model kept for them). */
  urgentOnly?: boolean;
  timeoutMs?: number;
  maxOutputTokens?: number;
}

/** Everything the ai function can be told; {@link aiDefaults} work offline (built-in analyser only). */
export interface AiSettings {
  providers: ProviderSettings[];
  currency: string;
  monthlyBudgetMicros?: number;
  /** Share of a budget at which ops are warned (the other threshold is 100 %). */
  warnAtPercent: 80;
  /** Urgent cases are read by a second provider when one is available; their disagreement is flagged. */
  secondReadForUrgent: boolean;
  timeoutMs: number;
  maxOutputTokens: number;
  /** Text sent to a provider is cut to this many characters (after scrubbing). */
  maxInputCharacters: number;
  breaker: { failureThreshold: number; cooldownMs: number };
  /** A paid case whose documents are still unprocessed after this long is triaged by the sweep anyway. */
  documentTimeoutMs: number;
  /** How long a runner holds a case; a crashed runner's case is picked up by the sweep after it. */
  leaseMs: number;
  /** A ready case the event's runner has not finished after this long is taken by the sweep. */
  readyGraceMs: number;
}

export const aiDefaults: AiSettings = {
  providers: [],
  currency: 'USD',
  warnAtPercent: 80,
  secondReadForUrgent: true,
  timeoutMs: 20_000,
  maxOutputTokens: 800,
  maxInputCharacters: 24_000,
  breaker: { failureThreshold: 3, cooldownMs: 60_000 },
  documentTimeoutMs: 10 * 60_000,
  leaseMs: 2 * 60_000,
  readyGraceMs: 30_000,
};

const Int = (min = 0) => v.pipe(v.number(), v.integer(), v.minValue(min));
const ProviderSchema = v.object({
  name: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,39}$/)),
  kind: v.picklist(['openai', 'azure-openai', 'anthropic']),
  baseUrl: v.pipe(v.string(), v.url()),
  model: v.pipe(v.string(), v.minLength(1)),
  /** The key itself, or the name of the environment variable that holds it (keys stay out of JSON settings). */
  apiKey: v.optional(v.string()),
  apiKeyEnv: v.optional(v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]*$/))),
  apiVersion: v.optional(v.string()),
  priceMicrosPer1kInput: Int(),
  priceMicrosPer1kOutput: Int(),
  monthlyBudgetMicros: v.optional(Int()),
  specialties: v.optional(v.array(v.picklist(SPECIALTIES))),
  urgentOnly: v.optional(v.boolean()),
  timeoutMs: v.optional(Int(100)),
  maxOutputTokens: v.optional(Int(16)),
});
const SettingsSchema = v.object({
  providers: v.optional(v.array(ProviderSchema), []),
  currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)), 'USD'),
  monthlyBudgetMicros: v.optional(Int()),
  secondReadForUrgent: v.optional(v.boolean()),
  timeoutMs: v.optional(Int(100)),
  documentTimeoutMs: v.optional(Int(1000)),
});

/**
 * The ai settings from the environment: `AI_SETTINGS` holds JSON (providers, currency, overall budget); each
 * provider's key comes from the variable its `apiKeyEnv` names. Unset → built-in analyser only.
 *
 * @example
 * // AI_SETTINGS='{"providers":[{"name":"openai","kind":"openai","baseUrl":"https://api.openai.com/v1","model":"gpt-4o-mini",
 * //   "apiKeyEnv":"OPENAI_API_KEY","priceMicrosPer1kInput":150,"priceMicrosPer1kOutput":600}],"monthlyBudgetMicros":50000000}'
 * const settings = aiSettingsFromEnv(process.env);
 */
export function aiSettingsFromEnv(env: Record<string, string | undefined>): AiSettings {
  const raw = env.AI_SETTINGS?.trim();
  if (!raw) return aiDefaults;
  const parsed = v.parse(SettingsSchema, JSON.parse(raw));
  const providers = parsed.providers.map(({ apiKeyEnv, apiKey, ...p }) => {
    const key = apiKey ?? (apiKeyEnv ? env[apiKeyEnv] : undefined);
    if (!key) throw new Error(`AI_SETTINGS: provider ${p.name} has no API key (set apiKeyEnv to a variable that holds it)`);
    return { ...p, apiKey: key } as ProviderSettings;
  });
  return {
    ...aiDefaults,
    providers,
    currency: parsed.currency,
    ...(parsed.monthlyBudgetMicros !== undefined ? { monthlyBudgetMicros: parsed.monthlyBudgetMicros } : {}),
    ...(parsed.secondReadForUrgent !== undefined ? { secondReadForUrgent: parsed.secondReadForUrgent } : {}),
    ...(parsed.timeoutMs !== undefined ? { timeoutMs: parsed.timeoutMs } : {}),
    ...(parsed.documentTimeoutMs !== undefined ? { documentTimeoutMs: parsed.documentTimeoutMs } : {}),
  };
}

/**
 * What a call of `tokensIn`/`tokensOut` costs on `provider`, in integer micro-units, rounded up.
 *
 * @example
 * costMicros({ priceMicrosPer1kInput: 150, priceMicrosPer1kOutput: 600 }, 2000, 500); // 600
 */
export function costMicros(provider: Pick<ProviderSettings, 'priceMicrosPer1kInput' | 'priceMicrosPer1kOutput'>, tokensIn: number, tokensOut: number): number {
  const scaled = tokensIn * provider.priceMicrosPer1kInput + tokensOut * provider.priceMicrosPer1kOutput;
  return Math.ceil(scaled / 1000);
}
