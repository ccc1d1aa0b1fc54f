import { z } from 'zod';
import { httpUrlField } from '../../sdk/config.js';

/**
 * Connection settings of one WordPress site. `url` is the site's address
 * (http://127.0.0.1:8080 or https://example.org/blog); Ferry finds the REST
 * API under it (/wp-json/, or ?rest_route=/ when pretty permalinks are off).
 * `password` is an Application Password (Users → Profile → Application
 * Passwords), never the account's login password.
 */
export const wordPressConfigSchema = z.object({
  url: httpUrlField('the site URL', 'https://example.org or http://127.0.0.1:8080', { title: 'Site URL', description: 'The site\'s address; Ferry finds its REST API under it.' }),
  /** The login of an administrator. */
  username: z.string().trim().min(1, 'the user name is required').meta({ title: 'User name', description: 'The login of an administrator of the site.', examples: ['admin'] }),
  /** An Application Password of that account (spaces are allowed, as WordPress shows it). */
  password: z.string().min(1, 'the application password is required').meta({ title: 'Application password', description: 'An Application Password of that account (Users, Profile, Application Passwords), not its login password. Stored encrypted; never shown again.', writeOnly: true }),
});

export type WordPressConfig = z.infer<typeof wordPressConfigSchema>;

export const secretFields = ['password'];


/** How a site's REST routes are addressed. */
export type RestStyle =
  /** `${root}wp/v2/posts`, root like https://example.org/wp-json/ */
  | { kind: 'path'; root: string }
  /** `${base}?rest_route=/wp/v2/posts`, for sites without pretty permalinks */
  | { kind: 'query'; base: string };

/**
 * The REST roots worth trying for a configured URL, most likely first. A
 * URL that already names the REST root (…/wp-json or …?rest_route=/) is
 * taken as it is.
 */
export function restRootCandidates(configured: string): RestStyle[] {
  const url = new URL(configured);
  url.hash = '';
  if (url.searchParams.has('rest_route')) {
    url.search = '';
    return [{ kind: 'query', base: url.toString() }];
  }
  url.search = '';
  const path = url.pathname.replace(/\/+$/, '');
  const wpJson = path.match(/^(.*?)\/wp-json(?:\/.*)?$/);
  const sitePath = wpJson ? (wpJson[1] ?? '') : path;
  const site = `${url.origin}${sitePath}`;
  return [
    { kind: 'path', root: `${site}/wp-json/` },
    { kind: 'query', base: `${site}/` },
  ];
}

/** The REST root a page advertises in its `Link: <…>; rel="https://api.w.org/"` header. */
export function restRootFromLinkHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="https:\/\/api\.w\.org\/"/.exec(part.trim());
    if (match?.[1]) return match[1];
  }
  return undefined;
}
