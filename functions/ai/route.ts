import type { Specialty } from '../../shared/auth/specialties.ts';
import type { CircuitBreakers } from './breaker.ts';
import { costMicros, type AiSettings, type ProviderSettings } from './config.ts';
import { ProviderError, type CallOutcome, type ChatClient } from './providers/index.ts';
import { parseOutput, type ProviderOutput } from './providers/output.ts';
import { correction, SYSTEM_PROMPT, userPrompt } from './providers/prompt.ts';
import type { UsageRow } from './queries.ts';

/** What the router is asked to read: scrubbed text only (the caller scrubs; this module never sees raw text). */
export interface ExternalReadInput {
  caseId: string;
  specialty: Specialty | null;
  urgency: 'standard' | 'urgent';
  scrubbedTexts: string[];
  hintCodes: string[];
}

/** One provider's valid answer. */
export interface ProviderRead {
  provider: string;
  model: string;
  output: ProviderOutput;
}

export interface ExternalReadResult {
  primary?: ProviderRead;
  /** Urgent cases: another provider's read, when one was available. */
  second?: ProviderRead;
  /** Every provider tried and how it ended (for the ops alert; no text). */
  attempts: { provider: string; outcome: CallOutcome | 'circuit-open' }[];
  /** How many providers routing allowed for this case (0: none configured, all over budget or open). */
  eligible: number;
}

export interface RouterDeps {
  settings: AiSettings;
  breakers: CircuitBreakers;
  client: (provider: ProviderSettings) => ChatClient;
  /** Providers a spent budget rules out ('all': the overall budget is spent). */
  overBudget: () => Promise<'all' | Set<string>>;
  /** Records every call (success or not) for billing; awaited so budgets see it before the next call. */
  record: (usage: UsageRow) => Promise<void>;
  now: () => Date;
}

/**
 * The providers that may read a case, best first: configured for its specialty and urgency, within budget, and
 * with a healthy breaker. Providers dedicated to the specialty come before general ones; otherwise configuration
 * order is the fallback chain.
 *
 * @example
 * const chain = eligibleProviders(settings, 'cardiology', 'urgent', new Set(), breakers);
 */
export function eligibleProviders(
  settings: AiSettings,
  specialty: Specialty | null,
  urgency: 'standard' | 'urgent',
  over: 'all' | Set<string>,
  breakers: CircuitBreakers,
): ProviderSettings[] {
  if (over === 'all') return [];
  const fits = settings.providers.filter(
    (p) =>
      !over.has(p.name) &&
      (!p.urgentOnly || urgency === 'urgent') &&
      (!p.specialties?.length || (specialty !== null && p.specialties.includes(specialty))) &&
      breakers.healthy(p.name),
  );
  const dedicated = fits.filter((p) => p.specialties?.length);
  return [...dedicated, ...fits.filter((p) => !p.specialties?.length)];
}

/**
 * Reads a case with external providers: down the fallback chain until one gives a valid answer (each provider:
 * one retry on invalid output), then, for urgent cases, a second read by another provider. Every call is recorded,
 * every failure counts against the provider's breaker. Never throws for a provider's failure.
 *
 * @example
 * const { primary, second, attempts } = await readExternally(input, deps);
 */
export async function readExternally(input: ExternalReadInput, deps: RouterDeps): Promise<ExternalReadResult> {
  const chain = eligibleProviders(deps.settings, input.specialty, input.urgency, await deps.overBudget(), deps.breakers);
  const attempts: ExternalReadResult['attempts'] = [];
  const result: ExternalReadResult = { attempts, eligible: chain.length };
  const user = userPrompt(input.scrubbedTexts, input.hintCodes, deps.settings.maxInputCharacters);
  for (const provider of chain) {
    const wantSecond = result.primary !== undefined;
    if (wantSecond && !(input.urgency === 'urgent' && deps.settings.secondReadForUrgent)) break;
    const read = await readWith(provider, input.caseId, user, deps);
    attempts.push({ provider: provider.name, outcome: read.outcome });
    if (!read.read) continue;
    if (wantSecond) {
      result.second = read.read;
      break;
    }
    result.primary = read.read;
  }
  return result;
}

async function readWith(
  provider: ProviderSettings,
  caseId: string,
  user: string,
  deps: RouterDeps,
): Promise<{ outcome: CallOutcome | 'circuit-open'; read?: ProviderRead }> {
  // Another triage took the half-open trial call meanwhile: nothing is sent, nothing is billed.
  if (!deps.breakers.allows(provider.name)) return { outcome: 'circuit-open' };
  const client = deps.client(provider);
  let message = user;
  for (let attempt = 0; attempt < 2; attempt++) {
    const started = deps.now().getTime();
    const usage = (outcome: CallOutcome, tokensIn: number, tokensOut: number, model = provider.model): UsageRow => ({
      at: deps.now(),
      provider: provider.name,
      model,
      caseId,
      tokensIn,
      tokensOut,
      costMicros: costMicros(provider, tokensIn, tokensOut),
      latencyMs: Math.max(0, deps.now().getTime() - started),
      outcome,
    });
    try {
      const answer = await client.chat({
        system: SYSTEM_PROMPT,
        user: message,
        maxTokens: provider.maxOutputTokens ?? deps.settings.maxOutputTokens,
        timeoutMs: provider.timeoutMs ?? deps.settings.timeoutMs,
      });
      const parsed = parseOutput(answer.text);
      await deps.record(usage(parsed.ok ? 'ok' : 'invalid-output', answer.tokensIn, answer.tokensOut, answer.model));
      if (parsed.ok) {
        deps.breakers.succeeded(provider.name);
        return { outcome: 'ok', read: { provider: provider.name, model: answer.model, output: parsed.output } };
      }
      message = `${user}\n\n${correction(parsed.problems)}`;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      await deps.record(usage(error.outcome, error.tokens.in, error.tokens.out));
      deps.breakers.failed(provider.name);
      return { outcome: error.outcome };
    }
  }
  deps.breakers.failed(provider.name);
  return { outcome: 'invalid-output' };
}
