import { UserError } from '../app/errors.js';

/**
 * Checks of command-line values, made before the data folder is opened, so
 * that a wrong value is a message and an exit code 1 and writes nothing.
 */

/** A whole number in [min, max] written in plain digits ("1e400", "2.5", "-1" and "" are refused). */
export function parseCount(option: string, value: string, range: { min: number; max: number }): number {
  const trimmed = value.trim();
  const n = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UserError(`${option} "${value}" is not allowed: give a whole number from ${range.min} to ${range.max}`, { hint: `for example ${option} ${Math.min(Math.max(range.min, 10), range.max)}` });
  }
  return n;
}

/** A saved URL as it may be printed: a password an older Ferry stored inside it is replaced by ***. */
export function printableUrl(value: string): string {
  try {
    const url = new URL(value);
    return url.password ? withoutPassword(url) : value;
  } catch {
    return value;
  }
}

/** Where a value that came in a URL is shown: the password replaced, so it is never printed. */
function withoutPassword(url: URL): string {
  const copy = new URL(url.href);
  copy.password = copy.password ? '***' : '';
  return copy.href;
}

/**
 * A connection URL: http(s), and no user name or password in it. Those would
 * be saved in clear with the URL and printed wherever the URL is; the
 * password has its own options, which keep it encrypted.
 */
export function checkConnectionUrl(value: string, option = '--url'): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${option} "${value}" is not a URL`, { hint: 'give the base URL with its scheme, e.g. https://wiki.example.org' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`${option} must start with http:// or https:// (got ${url.protocol})`, { hint: 'e.g. https://wiki.example.org' });
  }
  if (url.username || url.password) {
    throw new UserError(`The URL ${withoutPassword(url)} has an account or password in it; Ferry does not store credentials in a URL`, {
      hint: 'give the URL without them, the account with --username, and the password with --password-env VAR, --password-file FILE or --password-stdin (it is stored encrypted)',
    });
  }
}

/** The rule of Connections.add, checked before the data folder is opened. */
export function checkConnectionName(name: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new UserError(`Connection name "${name}" is not allowed`, { hint: 'use letters, digits, dot, dash or underscore' });
}

/** The data folder option or FERRY_HOME: an empty value would make the current folder the data folder. */
export function checkDataDir(value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new UserError('The data folder is empty (--data-dir "" or FERRY_HOME="")', { hint: 'give a folder path, or unset FERRY_HOME to use .ferry in the current folder' });
  }
  return value;
}
