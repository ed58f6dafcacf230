import type { HttpTrigger } from './types.ts';

/**
 * Orders HTTP triggers so the most specific claims a request first: more segments before fewer, a literal
 * segment before a parameter at the same place, a method-limited trigger before one for every method. The local
 * runtime registers routes in this order; infra emits ingress rules in it.
 *
 * @example
 * bySpecificity([{ prefix: '/v1/cases', function: 'cases' }, { prefix: '/v1/cases/:id/opinion', function: 'opinions' }]);
 * // → opinions first
 */
export function bySpecificity(triggers: readonly HttpTrigger[]): HttpTrigger[] {
  const rank = (t: HttpTrigger) => {
    const segments = t.prefix.split('/').filter(Boolean);
    return [segments.length, ...segments.map((s) => (s.startsWith(':') ? 0 : 1)), t.methods ? 1 : 0];
  };
  return [...triggers].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
      const d = (rb[i] ?? -1) - (ra[i] ?? -1);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/**
 * Whether two triggers claim the same requests at the same specificity: the same path shape, and either both for
 * every method or both limited to a common method. (A method-limited trigger beside one for every method is
 * fine: it is the more specific.)
 */
export function overlaps(a: HttpTrigger, b: HttpTrigger): boolean {
  const shape = (t: HttpTrigger) => t.prefix.replace(/:[^/]+/g, ':');
  if (shape(a) !== shape(b)) return false;
  if (!a.methods && !b.methods) return true;
  return Boolean(a.methods && b.methods && a.methods.some((m) => b.methods!.includes(m)));
}
