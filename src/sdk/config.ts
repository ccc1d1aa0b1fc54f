import { z } from 'zod';

/** True for absolute http:// and https:// URLs. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The URL field of a connector's config: trimmed, required, http(s) only,
 * with an example of what is expected in the message.
 *
 * @example
 * const schema = z.object({ url: httpUrlField('the site URL', 'https://example.org') });
 */
export function httpUrlField(what: string, example: string) {
  return z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .refine(isHttpUrl, `must be an http:// or https:// URL, like ${example}`)
    // Checked here too, not only in the CLI, so every way in (API, wizard) refuses it.
    .refine((value) => !hasCredentials(value), 'must not contain an account or password (user:password@): give the password as the connection\'s password (--password-env or --password-file), never in the URL');
}

function hasCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}
