import { db, type Sql } from '../../shared/db/index.ts';
import { keyring as sharedKeyring, type Keyring } from '../../shared/keyring/index.ts';
import { databaseReady, defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { CircuitBreakers } from './breaker.ts';
import { aiSettingsFromEnv, type AiSettings } from './config.ts';
import { readDocumentText, type TextReader } from './document-text.ts';
import { intakeSubscriptions } from './intake.ts';
import type { PipelineDeps } from './pipeline.ts';
import { chatClient, type ChatClient } from './providers/index.ts';
import type { ProviderSettings } from './config.ts';
import { createRunner } from './runner.ts';
import { usageRoutes } from './usage-routes.ts';

export interface AiOptions {
  settings?: AiSettings;
  readText?: TextReader;
  client?: (provider: ProviderSettings) => ChatClient;
  breakers?: CircuitBreakers;
  now?: () => Date;
  sql?: () => Sql;
  keyring?: Keyring;
  /** Tests sharing a database with a clock of their own: the sweep looks only at these cases. */
  sweepScope?: () => readonly string[];
}

/**
 * The ai function: triage of paid cases (built-in analyser, external providers with consent and scrubbing,
 * budgets, breakers), the `triage-sweep` cron job and the ops usage endpoint. Everything outside may be replaced
 * (tests: a local provider server, a clock, text fed directly).
 *
 * @example
 * const ai = createAi({ settings: { ...aiDefaults, providers: [local] }, readText: async () => note });
 * await ai.runner.sweep();
 */
export function createAi(options: AiOptions = {}): ConsiliumFunction & { runner: ReturnType<typeof createRunner>; deps: PipelineDeps } {
  // Settings are read on first use, not at import: loading the module must not parse the environment.
  let settings = options.settings;
  const current = () => (settings ??= aiSettingsFromEnv(process.env));
  const now = options.now ?? (() => new Date());
  let breakers = options.breakers;
  const deps: PipelineDeps = {
    get settings() {
      return current();
    },
    get breakers() {
      return (breakers ??= new CircuitBreakers({ ...current().breaker, now }));
    },
    readText: options.readText ?? ((ref) => readDocumentText(ref)),
    client: options.client ?? ((p) => chatClient(p)),
    now,
    sql: options.sql ?? db,
    get keyring() {
      return options.keyring ?? sharedKeyring();
    },
  };
  const runner = createRunner(deps, options.sweepScope);
  const fn = defineFunction({
    name: 'ai',
    routes: usageRoutes({ sql: deps.sql, currency: () => current().currency, now }),
    events: intakeSubscriptions({ startTriage: (id) => runner.kick(id), now }),
    cron: { 'triage-sweep': async () => void (await runner.sweep()) },
    // AI_SETTINGS is parsed at first use; a revision whose settings do not parse never becomes ready, so Knative keeps
    // the previous one serving instead of failing triages one by one.
    ready: [databaseReady, { name: 'ai-settings', check: async () => void current() }],
  });
  return Object.assign(fn, { runner, deps });
}

export default createAi();

