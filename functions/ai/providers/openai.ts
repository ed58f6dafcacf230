import * as v from 'valibot';
import type { ProviderSettings } from '../config.ts';
import { postJson, type HttpDeps } from './http.ts';
import { ProviderError, type ChatClient, type ChatRequest, type ChatResult } from './types.ts';

// The documented answer of POST /chat/completions (OpenAI, Azure OpenAI, vLLM, Ollama): only what we read.
const Completion = v.object({
  model: v.optional(v.string()),
  choices: v.pipe(v.array(v.object({ message: v.object({ content: v.nullable(v.string()) }) })), v.minLength(1)),
  usage: v.optional(v.object({ prompt_tokens: v.number(), completion_tokens: v.number() })),
});

/**
 * An OpenAI-compatible chat-completions client. `kind: 'openai'` POSTs `{baseUrl}/chat/completions` with a Bearer
 * key (OpenAI, vLLM, Ollama); `kind: 'azure-openai'` POSTs `{baseUrl}/openai/deployments/{model}/chat/completions
 * ?api-version=…` with an `api-key` header. JSON output is requested with `response_format: json_object`.
 *
 * @example
 * const client = openAiClient({ name: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey, … });
 * const { text, tokensIn } = await client.chat({ system, user, maxTokens: 800, timeoutMs: 20_000 });
 */
export function openAiClient(settings: ProviderSettings, deps: HttpDeps = {}): ChatClient {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const azure = settings.kind === 'azure-openai';
  const url = azure
    ? `${base}/openai/deployments/${encodeURIComponent(settings.model)}/chat/completions?api-version=${encodeURIComponent(settings.apiVersion ?? '2024-10-21')}`
    : `${base}/chat/completions`;
  const headers: Record<string, string> = azure ? { 'api-key': settings.apiKey } : { authorization: `Bearer ${settings.apiKey}` };
  return {
    provider: settings.name,
    model: settings.model,
    async chat(request: ChatRequest): Promise<ChatResult> {
      const body = {
        model: settings.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        temperature: 0,
        max_tokens: request.maxTokens,
        response_format: { type: 'json_object' },
      };
      const answer = v.safeParse(Completion, await postJson(url, headers, body, request.timeoutMs, deps));
      if (!answer.success) throw new ProviderError('server-error', 'the answer is not a chat completion');
      const { choices, usage, model } = answer.output;
      return {
        text: choices[0]!.message.content ?? '',
        tokensIn: usage?.prompt_tokens ?? 0,
        tokensOut: usage?.completion_tokens ?? 0,
        model: model ?? settings.model,
      };
    },
  };
}
