/**
 * What the CLI and the server need to know of a PostgreSQL store's URL
 * before anything connects: whether a location is one, how to show it, and
 * the error for one that cannot be used. Apart from postgres-store.ts so a
 * command that never opens PostgreSQL does not load pg and kysely's dialect.
 */

/** A store location that cannot be used: what is wrong and how to fix it, with the password never shown. */
export class StoreUnavailable extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'StoreUnavailable';
  }
}

/** True for a URL that names a PostgreSQL store. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/**
 * The URL as it may be printed: the password (in the URL or as a
 * `password=` parameter) replaced by `***`.
 *
 * @example
 * redactStoreUrl('postgres://ferry:s3cret@db:5432/ferry'); // 'postgres://ferry:***@db:5432/ferry'
 */
export function redactStoreUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparseable: show the scheme and host part only, never what may be a password.
    const at = url.lastIndexOf('@');
    const scheme = /^[a-z]+:\/\//i.exec(url)?.[0] ?? '';
    return at >= 0 ? `${scheme}***${url.slice(at)}` : url.replace(/:[^:@/]*@/, ':***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString().replace(/%2A%2A%2A/g, '***');
}
