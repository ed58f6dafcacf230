import { ProviderError } from './types.ts';

/** What {@link postJson} needs besides the request: a way to wait (tests pass a fake) and the clock for retry-after dates. */
export interface HttpDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/** Longest wait we honour from a 429's retry-after; beyond it the provider counts as rate-limited now. */
const MAX_RETRY_AFTER_MS = 30_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * POSTs JSON and returns the parsed JSON answer. A 429 is retried once after its `retry-after` (seconds or an
 * HTTP date, at most 30 s); a second 429, a 5xx, a 4xx, a timeout (`AbortSignal.timeout`) or a network failure
 * becomes a {@link ProviderError} with the matching outcome. Keys and bodies never reach an error message.
 *
 * @example
 * const body = await postJson('https://api.openai.com/v1/chat/completions', { authorization: `Bearer ${key}` }, request, 20_000);
 */
export async function postJson(url: string, headers: Record<string, string>, body: unknown, timeoutMs: number, deps: HttpDeps = {}): Promise<unknown> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? realSleep;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new ProviderError('timeout', `no answer within ${timeoutMs} ms`);
      throw new ProviderError('network-error', `could not reach the provider (${name})`);
    }
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers.get('retry-after'), deps.now?.() ?? new Date());
      await response.body?.cancel();
      if (attempt === 0 && wait !== undefined && wait <= MAX_RETRY_AFTER_MS) {
        await sleep(wait);
        continue;
      }
      throw new ProviderError('rate-limited', 'rate limited (429)');
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ProviderError(response.status >= 500 ? 'server-error' : 'client-error', `provider answered ${response.status}`);
    }
    try {
      return await response.json();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new ProviderError('timeout', `no complete answer within ${timeoutMs} ms`);
      throw new ProviderError('server-error', 'the provider answered something that is not JSON');
    }
  }
}

/**
 * The wait a `retry-after` header asks for, in milliseconds: delta-seconds or an HTTP date; undefined when absent
 * or unreadable.
 *
 * @example
 * retryAfterMs('2', new Date()); // 2000
 */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.round(Number(header) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
