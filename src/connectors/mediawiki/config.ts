import { z } from 'zod';
import { httpUrlField } from '../../sdk/config.js';

/**
 * Connection settings of one wiki. `url` may be the wiki's base URL
 * (http://127.0.0.1:8080), its api.php URL, or any page URL when the API
 * lives elsewhere (discovered from the page's EditURI link).
 */
export const mediaWikiConfigSchema = z.object({
  url: httpUrlField('the wiki URL', 'http://127.0.0.1:8080 or http://wiki.example.org/w/api.php', { title: 'Wiki URL', description: 'The wiki\'s base URL, its api.php URL, or any page URL of it.' }),
  /** Bot password login 'Admin@ferry' (Special:BotPasswords), or a main account name (clientlogin). */
  username: z.string().trim().min(1, 'the user name is required').meta({ title: 'User name', description: 'A bot password login such as Admin@ferry (Special:BotPasswords on the wiki), or an account name.', examples: ['Admin@ferry'] }),
  password: z.string().min(1, 'the password is required').meta({ title: 'Password', description: 'The bot password (or the account\'s password). Stored encrypted; never shown again.', writeOnly: true }),
});

export type MediaWikiConfig = z.infer<typeof mediaWikiConfigSchema>;

export const secretFields = ['password'];


/** The api.php URLs worth trying for a configured URL, most likely first. */
export function apiUrlCandidates(configured: string): string[] {
  const url = new URL(configured);
  url.hash = '';
  if (url.pathname.endsWith('/api.php')) {
    url.search = '';
    return [url.toString()];
  }
  url.search = '';
  const path = url.pathname.replace(/\/+$/, '');
  const candidates = [`${url.origin}${path}/api.php`];
  // A page URL like /index.php/Main_Page or /wiki/Main_Page: the API is usually beside index.php or under /w.
  const beforeIndex = path.split('/index.php')[0];
  if (beforeIndex !== undefined && beforeIndex !== path) candidates.push(`${url.origin}${beforeIndex}/api.php`);
  candidates.push(`${url.origin}/api.php`, `${url.origin}/w/api.php`);
  return [...new Set(candidates)];
}

/** Finds the API from a page's `<link rel="EditURI" href="…api.php?action=rsd">`. */
export function apiUrlFromHtml(html: string, pageUrl: string): string | undefined {
  const match = /<link[^>]+rel="EditURI"[^>]*href="([^"]+)"/i.exec(html) ?? /<link[^>]+href="([^"]+)"[^>]*rel="EditURI"/i.exec(html);
  if (!match?.[1]) return undefined;
  const href = match[1].replace(/&amp;/g, '&');
  const api = new URL(href, pageUrl);
  api.search = '';
  return api.toString();
}
