import { createHash } from 'node:crypto';

/**
 * A Kubernetes object name (DNS label, at most 63 characters) built from parts; when too long it is cut and given a
 * short hash of the whole, so two long names never collide.
 *
 * @example
 * objectName('matching', 'case.triaged.v1'); // 'matching-case-triaged-v1'
 */
export function objectName(...parts: string[]): string {
  const full = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-$/, '')}-${hash}`;
}

/**
 * A name that changes whenever `content` does: `<base>-<hash>`. Used for objects that must be replaced rather than
 * edited (an immutable ConfigMap, a Job whose pod template cannot change); because the name is computed here rather
 * than by Pulumi's auto-naming, it is known at preview time and can be referenced by what depends on it.
 *
 * @example
 * contentName('migrate', { image: 'ghcr.io/acme/consilium:1.2.0' }); // 'migrate-' and 8 hex digits
 */
export function contentName(base: string, content: unknown): string {
  return `${base}-${createHash('sha256').update(stableJson(content)).digest('hex').slice(0, 8)}`;
}

/** JSON with object keys sorted, so equal content always hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
