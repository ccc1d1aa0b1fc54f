/**
 * Helpers for the loosely typed JSON of the Action API: safe narrowing, and
 * merging of query answers that MediaWiki spreads over continuation.
 */

export type ApiResult = Record<string, unknown>;

/** Merges one answer's `query` into the batch so far (pages by id or title, lists appended). */
export function mergeQuery(into: ApiResult, query: ApiResult): void {
  for (const [key, value] of Object.entries(query)) {
    const current = into[key];
    if (key === 'pages' && Array.isArray(value)) {
      into.pages = mergePages(Array.isArray(current) ? (current as ApiResult[]) : [], value as ApiResult[]);
    } else if (Array.isArray(value) && Array.isArray(current)) {
      into[key] = [...current, ...value];
    } else {
      into[key] = value;
    }
  }
}

function mergePages(current: ApiResult[], incoming: ApiResult[]): ApiResult[] {
  const byKey = new Map<string, ApiResult>();
  for (const page of current) byKey.set(pageKey(page), page);
  for (const page of incoming) {
    const key = pageKey(page);
    const known = byKey.get(key);
    if (!known) {
      byKey.set(key, { ...page });
      continue;
    }
    for (const [field, value] of Object.entries(page)) {
      const old = known[field];
      known[field] = Array.isArray(old) && Array.isArray(value) ? [...old, ...value] : value;
    }
  }
  return [...byKey.values()];
}

function pageKey(page: ApiResult): string {
  return typeof page.pageid === 'number' ? `id:${page.pageid}` : `title:${String(page.title)}`;
}

export function asRecord(value: unknown): ApiResult {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as ApiResult) : {};
}

export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(asRecord(value))) out[key] = String(entry);
  return out;
}
