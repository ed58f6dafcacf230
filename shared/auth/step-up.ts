import { functionUrl } from '../config/index.ts';
import { HttpProblem } from '../http/problem.ts';

/** Where and how to reach identity; tests point it at an identity they serve. */
export interface StepUpOptions {
  identityUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Step-up authentication for an action that needs a fresh second factor (signing an opinion): asks identity,
 * which alone holds TOTP secrets, whether `code` is a current, unused code of the caller whose bearer
 * `authorization` header this request carried. The code is spent when it is good. Resolves `true` or `false`;
 * identity's 429 passes through with its `Retry-After`; identity unreachable is a 503 (the action is not taken).
 *
 * @example
 * if (!(await confirmStepUp(c.req.header('authorization')!, body.totp))) throw new HttpProblem(401, 'invalid-totp');
 */
export async function confirmStepUp(authorization: string, code: string, options: StepUpOptions = {}): Promise<boolean> {
  const url = `${options.identityUrl ?? functionUrl('identity')}/v1/auth/mfa/step-up`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
  } catch {
    throw new HttpProblem(503, 'dependency-unavailable', { detail: 'The second factor cannot be checked right now; nothing was changed.' });
  }
  await response.body?.cancel();
  if (response.status === 204) return true;
  if (response.status === 401 || response.status === 422 || response.status === 400) return false;
  if (response.status === 429) {
    const retryAfter = response.headers.get('retry-after');
    throw new HttpProblem(429, 'rate-limited', { detail: 'Too many codes tried; wait and try again.', ...(retryAfter ? { headers: { 'retry-after': retryAfter } } : {}) });
  }
  throw new HttpProblem(503, 'dependency-unavailable', { detail: 'The second factor cannot be checked right now; nothing was changed.' });
}
