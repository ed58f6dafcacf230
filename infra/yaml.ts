/**
 * A small YAML emitter for Kubernetes objects (block style; every string double-quoted JSON-style, which YAML
 * reads the same way), so rendered manifests need no YAML package and can never be misread (`no`, `1e3`, `:`…).
 */

const PLAIN_KEY = /^[A-Za-z0-9_./-]+$/;

function key(k: string): string {
  return PLAIN_KEY.test(k) && !/^(true|false|null|yes|no|on|off|~|[0-9.+-].*)$/i.test(k) ? k : JSON.stringify(k);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`YAML: ${value} is not a number Kubernetes takes`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  throw new Error(`YAML: cannot write ${typeof value}`);
}

function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (typeof item === 'object' && item !== null && !isEmpty(item)) {
        const [first, ...rest] = lines(item, `${indent}  `);
        return [`${indent}- ${first!.trimStart()}`, ...rest];
      }
      return [`${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`];
    });
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => {
      if (typeof v === 'object' && v !== null && !isEmpty(v)) return [`${indent}${key(k)}:`, ...lines(v, Array.isArray(v) ? indent : `${indent}  `)];
      return [`${indent}${key(k)}: ${isEmpty(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v)}`];
    });
}

/**
 * One YAML document for a JSON-like value.
 *
 * @example
 * toYaml({ apiVersion: 'v1', kind: 'ConfigMap', data: { on: 'yes' } });
 * // 'apiVersion: "v1"\nkind: "ConfigMap"\ndata:\n  "on": "yes"\n'
 */
export function toYaml(value: Record<string, unknown>): string {
  return `${lines(value, '').join('\n')}\n`;
}
