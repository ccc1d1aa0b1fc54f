import { REF_TOKEN_PATTERN, refToken } from '../sdk/connector.js';

/**
 * The pure half of verify: rewriting a source object's reference tokens into
 * the target's ids, and finding where two inspected forms differ.
 */

/** A reference token's parts, and the key `type\0id` the resolver is asked with. */
export interface TokenRef {
  type: string;
  id: string;
}

/** Every reference token inside a value (strings at any depth). */
export function collectTokens(value: unknown, into: TokenRef[] = []): TokenRef[] {
  if (typeof value === 'string') {
    for (const match of value.matchAll(REF_TOKEN_PATTERN)) into.push({ type: match[1]!, id: match[2]! });
  } else if (Array.isArray(value)) {
    for (const v of value) collectTokens(v, into);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collectTokens(v, into);
  }
  return into;
}

/**
 * Rewrites the tokens of a source value to the target's ids. A reference
 * that does not resolve becomes `⟦type:?id⟧`, which no target token equals.
 */
export function translateTokens(value: unknown, resolve: (ref: TokenRef) => string | undefined): unknown {
  if (typeof value === 'string') {
    return value.replace(REF_TOKEN_PATTERN, (_, type: string, id: string) => {
      const target = resolve({ type, id });
      return refToken(type, target ?? `?${id}`);
    });
  }
  if (Array.isArray(value)) return value.map((v) => translateTokens(v, resolve));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translateTokens(v, resolve)]));
  }
  return value;
}

export interface FieldDifference {
  /** Where the two differ: `title`, `revisions[3].user`, `revisions.length`. */
  field: string;
  source: string;
  target: string;
  /** The source side holds a reference the ID map could not resolve (see {@link translateTokens}). */
  unresolved?: true;
}

const UNRESOLVED_TOKEN = /\u27e6[^:\u27e7]+:\?/u;

const SHOWN = 160;

function show(value: unknown): string {
  const text = value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}… (${text.length} chars)` : text;
}

/**
 * Where `source` and `target` differ, at most `limit` places, the first
 * ones found. Arrays are compared position by position and by length.
 */
export function diffValues(source: unknown, target: unknown, options: { path?: string; limit?: number } = {}): FieldDifference[] {
  const out: FieldDifference[] = [];
  walk(source, target, options.path ?? '', out, options.limit ?? 5);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: FieldDifference[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push({ field: `${path}.length`, source: String(a.length), target: String(b.length) });
    for (let i = 0; i < Math.min(a.length, b.length) && out.length < limit; i++) walk(a[i], b[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (out.length >= limit) return;
      walk(a[key], b[key], path ? `${path}.${key}` : key, out, limit);
    }
    return;
  }
  if (sameScalar(a, b)) return;
  const unresolved = typeof a === 'string' && UNRESOLVED_TOKEN.test(a);
  const [source, target] = typeof a === 'string' && typeof b === 'string' ? around(a, b) : [show(a), show(b)];
  out.push({ field: path || '(value)', source, target, ...(unresolved ? { unresolved: true as const } : {}) });
}

/** Two long texts shown where they first differ, not from their start. */
function around(a: string, b: string): [string, string] {
  if (a.length <= SHOWN && b.length <= SHOWN) return [a, b];
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  const from = Math.max(0, at - 40);
  const cut = (text: string) => `${from > 0 ? `…(at ${at}) ` : ''}${text.slice(from, from + SHOWN)}${from + SHOWN < text.length ? `… (${text.length} chars)` : ''}`;
  return [cut(a), cut(b)];
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // null and absent mean the same for a field: "no value".
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
