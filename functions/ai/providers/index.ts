import type { ProviderSettings } from '../config.ts';
import { anthropicClient } from './anthropic.ts';
import type { HttpDeps } from './http.ts';
import { openAiClient } from './openai.ts';
import type { ChatClient } from './types.ts';

export { ProviderError, type CallOutcome, type ChatClient, type ChatRequest, type ChatResult } from './types.ts';

/**
 * The client for a configured provider, by its kind.
 *
 * @example
 * const client = chatClient(settings.providers[0]!);
 */
export function chatClient(settings: ProviderSettings, deps: HttpDeps = {}): ChatClient {
  return settings.kind === 'anthropic' ? anthropicClient(settings, deps) : openAiClient(settings, deps);
}
