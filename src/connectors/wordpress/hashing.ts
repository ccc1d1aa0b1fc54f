import { createHash } from 'node:crypto';

/**
 * SHA-1 of a value's canonical JSON (object keys sorted), for item hashes
 * and target versions: equal values give equal hashes whatever the key order.
 *
 * @example
 * stableHash({ b: 1, a: [2] }) === stableHash({ a: [2], b: 1 }); // => true
 */
export function stableHash(value: unknown): string {
  return createHash('sha1').update(canonical(value)).digest('hex');
}

export function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The fields of `wanted` whose values differ from `current` (deep, by canonical JSON). */
export function changedFields(wanted: Record<string, unknown>, current: Record<string, unknown>): string[] {
  return Object.keys(wanted).filter((key) => canonical(wanted[key]) !== canonical(current[key]));
}
