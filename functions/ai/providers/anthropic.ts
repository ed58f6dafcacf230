import * as v from 'valibot';
import type { ProviderSettings } from '../config.ts';
import { postJson, type HttpDeps } from './http.ts';
import { ProviderError, type ChatClient, type ChatRequest, type ChatResult } from './types.ts';

// The documented answer of POST /v1/messages: content blocks and usage; only what we read.
const Message = v.object({
  model: v.optional(v.string()),
  content: v.array(v.object({ type: v.string(), text: v.optional(v.string()) })),
  usage: v.optional(v.object({ input_tokens: v.number(), output_tokens: v.number() })),
});

export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * An Anthropic Messages API client: POST `{baseUrl}/v1/messages` with `x-api-key` and `anthropic-version`, the
 * system prompt apart from the messages; the answer's text blocks are joined.
 *
 * @example
 * const client = anthropicClient({ name: 'claude', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-sonnet-4-5', apiKey, … });
 */
export function anthropicClient(settings: ProviderSettings, deps: HttpDeps = {}): ChatClient {
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/v1/messages`;
  const headers = { 'x-api-key': settings.apiKey, 'anthropic-version': settings.apiVersion ?? ANTHROPIC_VERSION };
  return {
    provider: settings.name,
    model: settings.model,
    async chat(request: ChatRequest): Promise<ChatResult> {
      const body = {
        model: settings.model,
        max_tokens: request.maxTokens,
        temperature: 0,
        system: request.system,
        messages: [{ role: 'user', content: request.user }],
      };
      const answer = v.safeParse(Message, await postJson(url, headers, body, request.timeoutMs, deps));
      if (!answer.success) throw new ProviderError('server-error', 'the answer is not a message');
      const { content, usage, model } = answer.output;
      return {
        text: content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join(''),
        tokensIn: usage?.input_tokens ?? 0,
        tokensOut: usage?.output_tokens ?? 0,
        model: model ?? settings.model,
      };
    },
  };
}
