/** One request to a chat model: a system prompt and the user's message (de-identified text). */
export interface ChatRequest {
  system: string;
  user: string;
  maxTokens: number;
  timeoutMs: number;
}

/** A model's answer and what it cost in tokens. */
export interface ChatResult {
  text: string;
  tokensIn: number;
  tokensOut: number;
  model: string;
}

/** How a provider call went, as usage rows and breakers record it. */
export type CallOutcome = 'ok' | 'invalid-output' | 'timeout' | 'rate-limited' | 'server-error' | 'client-error' | 'network-error';

/** A provider call that did not give a usable answer; `tokens` are those billed anyway (an invalid answer costs). */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly outcome: Exclude<CallOutcome, 'ok'>,
    message: string,
    readonly tokens: { in: number; out: number } = { in: 0, out: 0 },
  ) {
    super(message);
  }
}

/**
 * A chat-completion adapter (OpenAI-compatible, Azure OpenAI, Anthropic Messages).
 *
 * @example
 * const result = await client.chat({ system, user, maxTokens: 800, timeoutMs: 20_000 });
 */
export interface ChatClient {
  readonly provider: string;
  readonly model: string;
  chat(request: ChatRequest): Promise<ChatResult>;
}
