/**
 * Secret redaction for anything that may reach a log, an error message or an
 * API response. Connectors hand their secret values to the HTTP client and
 * the engine redacts configs by the connector's `secretFields`.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are not searched for in free text: replacing
 * every "a" of a message because someone chose "a" as a password would make
 * the message useless while protecting nothing.
 */
const MIN_SECRET_LENGTH = 3;

/**
 * Replaces every occurrence of each secret in `text`, including its
 * URL-encoded and JSON-escaped forms (secrets travel in query strings and
 * request bodies, and those end up quoted in errors).
 *
 * @example
 * redact('login failed for Admin@ferry with s3cr3t!', ['s3cr3t!']);
 * // => 'login failed for Admin@ferry with [redacted]'
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of variantsOf(secrets)) {
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Returns a deep copy of `value` where every property named in
 * `secretFields` (at any depth, in objects and arrays) is replaced by
 * `[redacted]`. Properties that are absent stay absent; empty values stay
 * empty so a reader can still tell "not set" from "set".
 *
 * @example
 * redactObject({ url: 'http://wiki', password: 'hunter2' }, ['password']);
 * // => { url: 'http://wiki', password: '[redacted]' }
 */
export function redactObject<T>(value: T, secretFields: readonly string[]): T {
  const fields = new Set(secretFields);
  return copy(value, fields, new WeakMap()) as T;
}

function copy(value: unknown, fields: Set<string>, seen: WeakMap<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const entry of value) out.push(copy(entry, fields, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, entry] of Object.entries(value)) {
    out[key] = fields.has(key) && !isEmpty(entry) ? REDACTED : copy(entry, fields, seen);
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function variantsOf(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out.add(secret);
    out.add(encodeURIComponent(secret));
    out.add(new URLSearchParams({ s: secret }).toString().slice(2));
    out.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}
