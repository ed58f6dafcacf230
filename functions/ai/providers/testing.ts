import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from '../../../test/support/listen.ts';
import type { ProviderSettings } from '../config.ts';

/** A request the local provider server received. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** What the server answers to the nth request (0-based): status, headers, body, and an optional delay. */
export type Reply = { status?: number; headers?: Record<string, string>; json?: unknown; raw?: string; delayMs?: number };

/**
 * A local node:http server standing in for a provider, answering each request with `reply(request, n)` and
 * recording every request it received.
 *
 * @example
 * const server = await providerServer(() => ({ json: openAiAnswer('{"summary":"…"}') }));
 * server.requests.length; // 0 until something calls it
 */
export async function providerServer(reply: (request: Received, n: number) => Reply) {
  const requests: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body ? JSON.parse(body) : undefined };
      const answer = reply(received, requests.length);
      requests.push(received);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.raw ?? JSON.stringify(answer.json ?? {}));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  const { url, close } = await listenLocal(server, 0);
  return { url, requests, close };
}

/** A chat completion as OpenAI documents it, with `content` as the assistant's text. */
export const openAiAnswer = (content: string, usage = { prompt_tokens: 1200, completion_tokens: 300 }) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
});

/** A message as Anthropic's Messages API documents it. */
export const anthropicAnswer = (text: string, usage = { input_tokens: 1000, output_tokens: 200 }) => ({
  id: 'msg_test',
  type: 'message',
  role: 'assistant',
  model: 'claude-test',
  content: [{ type: 'text', text }],
  stop_reason: 'end_turn',
  usage,
});

/** A valid structured triage answer. */
export const validOutput = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ summary: 'Likely acute coronary syndrome in a patient with diabetes.', specialty: 'cardiology', urgency: 'urgent', redFlags: ['chest pain'], ...extra });

/** Settings for a provider served at `url`. */
export const providerAt = (url: string, extra: Partial<ProviderSettings> = {}): ProviderSettings => ({
  name: 'local-openai',
  kind: 'openai',
  baseUrl: `${url}/v1`,
  model: 'gpt-test',
  apiKey: 'sk-test-key',
  priceMicrosPer1kInput: 150,
  priceMicrosPer1kOutput: 600,
  ...extra,
});
