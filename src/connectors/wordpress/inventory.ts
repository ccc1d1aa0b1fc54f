import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Identity, Inventory, TypeInventory } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { QueryValue } from '../../sdk/http.js';
import { hasWpCode } from './api-errors.js';
import type { Account, WpContext } from './context.js';
import { COMMENT_STATUSES } from './comments.js';
import { targetLocations } from './menus.js';
import { early, findNotCarried } from './not-carried.js';

/**
 * check (who and what is this site) and discover (what does it hold). The
 * details feed the other side's prechecks: plugins, theme, menu locations,
 * the largest file, and hashed e-mail addresses of the users.
 */

/** `Inventory.details` of a WordPress site. */
export interface WordPressInventoryDetails {
  version: string;
  home: string;
  siteUrl: string;
  /** Active plugins ('akismet/akismet.php' style ids, with names); null when the account may not list them. */
  activePlugins: Array<{ plugin: string; name: string }> | null;
  theme?: string;
  menuLocations: string[];
  /** Locations the site's menus use. */
  usedMenuLocations: string[];
  largestMedia?: { name: string; size: number };
  /** The REST API does not tell PHP's upload limit; known only when an upload failed (or passed) in this session. */
  uploadLimit: { known: false; refusedBytes?: number; acceptedBytes?: number; note: string };
  /** SHA-1 of each user's lower-case e-mail address, by login (for the target's collision check). */
  userEmails: Array<{ login: string; emailSha1: string }>;
  timezone: string;
  gmtOffset: number;
}

export const inventoryDetailsSchema = z.object({
  version: z.string().default('unknown'),
  activePlugins: z.array(z.object({ plugin: z.string(), name: z.string() })).nullable().default(null),
  theme: z.string().optional(),
  usedMenuLocations: z.array(z.string()).default([]),
  largestMedia: z.object({ name: z.string(), size: z.number() }).optional(),
  userEmails: z.array(z.object({ login: z.string(), emailSha1: z.string() })).default([]),
  timezone: z.string().default(''),
  gmtOffset: z.number().default(0),
});

const accountSchema = z.object({
  id: z.number(),
  username: z.string(),
  name: z.string().default(''),
  email: z.string().default(''),
  roles: z.array(z.string()).default([]),
  capabilities: z.record(z.string(), z.boolean()).default({}),
});

/** The account behind the Application Password; an auth error names what to fix. */
export async function readAccount(ctx: WpContext, signal: AbortSignal): Promise<Account> {
  const { index } = await ctx.api.root(signal);
  try {
    return accountSchema.parse(await ctx.api.get('wp/v2/users/me', { signal, query: { context: 'edit' }, what: `signing in as "${ctx.api.userName}"` }));
  } catch (error) {
    if (error instanceof ConnectorError && error.kind === 'auth') {
      const disabled = !index.applicationPasswords;
      throw new ConnectorError(`WordPress did not accept "${ctx.api.userName}" with this Application Password`, {
        kind: 'auth',
        hint: disabled
          ? 'This site does not offer Application Passwords (they need HTTPS, or WP_ENVIRONMENT_TYPE "local"; a plugin may turn them off).'
          : 'Create an Application Password under Users → Profile → Application Passwords in wp-admin and use it (not the login password).',
        cause: error,
      });
    }
    throw error;
  }
}

/** Refuses an account that is not an administrator: Ferry reads drafts, e-mails and settings, and writes users. */
export function requireAdministrator(account: Account): void {
  if (account.roles.includes('administrator')) return;
  throw new ConnectorError(`The account "${account.username}" is not an administrator of this site (roles: ${account.roles.join(', ') || 'none'})`, {
    kind: 'auth',
    hint: 'Use an administrator account: Ferry needs to read drafts, private content, users\' e-mail addresses and settings, and to create users.',
  });
}

export async function checkSite(ctx: WpContext, signal: AbortSignal): Promise<Identity> {
  ctx.api.forget();
  const { index, style } = await ctx.api.root(signal);
  const account = await readAccount(ctx, signal);
  requireAdministrator(account);
  const version = await siteVersion(ctx, signal);
  return {
    platform: 'wordpress',
    instanceId: await siteInstanceId(ctx, signal),
    version,
    siteName: index.name,
    host: index.home || index.url,
    account: account.username,
    rights: [...new Set([...account.roles, ...Object.entries(account.capabilities).filter(([cap, on]) => on && !cap.startsWith('level_')).map(([cap]) => cap)])],
    details: {
      restRoot: style.kind === 'path' ? style.root : `${style.base}?rest_route=/`,
      siteUrl: index.url,
      timezone: index.timezone || `UTC${index.gmtOffset >= 0 ? '+' : ''}${index.gmtOffset}`,
      applicationPasswords: index.applicationPasswords,
    },
  };
}

/**
 * The first account's id and registration time (the installer's admin): a site
 * installed afresh at the same URL gets a new one.
 */
async function siteInstanceId(ctx: WpContext, signal: AbortSignal): Promise<string> {
  const users = await ctx.api.get('wp/v2/users', { signal, query: { context: 'edit', orderby: 'id', order: 'asc', per_page: 1, _fields: 'id,registered_date' }, what: 'reading the site\'s identity' });
  const first = z.array(z.object({ id: z.number(), registered_date: z.string().default('') })).parse(users)[0];
  return first ? `${first.id}/${first.registered_date}` : '';
}

export async function discoverSite(ctx: WpContext, signal: AbortSignal): Promise<Inventory> {
  ctx.api.forget();
  const { index } = await ctx.api.root(signal);
  const count = (route: string, query: Record<string, QueryValue> = {}) => total(ctx, route, query, signal);
  const last = (route: string, field: string, query: Record<string, QueryValue> = {}) => latest(ctx, route, field, query, signal);
  // Every read below is independent: all started at once (about 20 requests), awaited in order.
  const commentCounts = COMMENT_STATUSES.map((status) => early(count('wp/v2/comments', { status })));
  const menusP = early(optional(() => count('wp/v2/menus'), 0));
  const menuItemsP = early(optional(() => count('wp/v2/menu-items'), 0));
  const mediaP = early(mediaFacts(ctx, signal));
  const usersP = early(userFacts(ctx, signal));
  const categoriesP = early(count('wp/v2/categories', { hide_empty: false }));
  const tagsP = early(count('wp/v2/tags', { hide_empty: false }));
  const mediaLastP = early(last('wp/v2/media', 'modified_gmt', { orderby: 'modified' }));
  const postsP = early(count('wp/v2/posts', { status: 'any' }));
  const postsLastP = early(last('wp/v2/posts', 'modified_gmt', { status: 'any', orderby: 'modified' }));
  const pagesP = early(count('wp/v2/pages', { status: 'any' }));
  const pagesLastP = early(last('wp/v2/pages', 'modified_gmt', { status: 'any', orderby: 'modified' }));
  const commentsLastP = early(last('wp/v2/comments', 'date_gmt', { status: 'all', orderby: 'date_gmt' }));
  const locationsP = early(optional(async () => [...(await targetLocations(ctx, signal))].sort(), [] as string[]));
  const usedLocationsP = early(
    optional(async () => {
      const rows = z.array(z.object({ locations: z.array(z.string()).default([]) })).parse(await ctx.api.all('wp/v2/menus', { signal, query: { _fields: 'locations', context: 'edit' }, what: 'listing menus' }));
      return [...new Set(rows.flatMap((r) => r.locations))].sort();
    }, [] as string[]),
  );
  const pluginsP = early(activePlugins(ctx, signal));
  const versionP = early(siteVersion(ctx, signal));
  const themeP = early(activeTheme(ctx, signal));
  const notCarriedP = early(pluginsP.then((plugins) => findNotCarried(ctx, signal, plugins)));
  let comments = 0;
  for (const counted of commentCounts) comments += await counted;
  const menus = await menusP;
  const menuItems = await menuItemsP;
  const media = await mediaP;
  const users = await usersP;
  const types: TypeInventory[] = [
    withLast({ type: 'user', count: users.count }, undefined),
    withLast({ type: 'category', count: await categoriesP }, undefined),
    withLast({ type: 'tag', count: await tagsP }, undefined),
    withLast({ type: 'media', count: media.count }, await mediaLastP),
    withLast({ type: 'post', count: await postsP }, await postsLastP),
    withLast({ type: 'page', count: await pagesP }, await pagesLastP),
    withLast({ type: 'comment', count: comments }, await commentsLastP),
    { type: 'menu', count: menus },
    { type: 'menu-item', count: menuItems },
    { type: 'settings', count: 1 },
  ];
  const locations = await locationsP;
  const usedLocations = await usedLocationsP;
  const plugins = await pluginsP;
  const details: WordPressInventoryDetails = {
    version: await versionP,
    home: index.home,
    siteUrl: index.url,
    activePlugins: plugins,
    ...(await themeP),
    menuLocations: locations,
    usedMenuLocations: usedLocations,
    ...(media.largest ? { largestMedia: media.largest } : {}),
    uploadLimit: {
      known: false,
      ...(ctx.limits.refusedBytes !== undefined ? { refusedBytes: ctx.limits.refusedBytes } : {}),
      ...(ctx.limits.acceptedBytes !== undefined ? { acceptedBytes: ctx.limits.acceptedBytes } : {}),
      note: "WordPress's REST API does not reveal PHP's upload_max_filesize / post_max_size; an upload over it fails with kind too_large.",
    },
    userEmails: users.emails,
    timezone: index.timezone,
    gmtOffset: index.gmtOffset,
  };
  const notCarried = await notCarriedP;
  return { types, notCarried, details: details as unknown as Record<string, unknown> };
}

/** The version from the home page's `<meta name="generator">` (absent when a plugin hides it). */
async function siteVersion(ctx: WpContext, signal: AbortSignal): Promise<string> {
  const { index } = await ctx.api.root(signal);
  try {
    const html = await ctx.api.page(`${index.home || index.url}/`, signal);
    return /<meta[^>]+name=["']generator["'][^>]+content=["']WordPress ([0-9.]+)/i.exec(html)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function activePlugins(ctx: WpContext, signal: AbortSignal): Promise<Array<{ plugin: string; name: string }> | null> {
  try {
    const rows = z.array(z.object({ plugin: z.string(), name: z.string().default(''), status: z.string() })).parse(await ctx.api.get('wp/v2/plugins', { signal, query: { status: 'active' }, what: 'listing plugins' }));
    return rows.filter((r) => r.status === 'active' || r.status === 'network-active').map(({ plugin, name }) => ({ plugin, name })).sort((a, b) => a.plugin.localeCompare(b.plugin));
  } catch (error) {
    if (error instanceof ConnectorError && (error.kind === 'auth' || error.kind === 'not_found')) return null;
    throw error;
  }
}

async function activeTheme(ctx: WpContext, signal: AbortSignal): Promise<{ theme?: string }> {
  const rows = await optional(async () => z.array(z.object({ stylesheet: z.string() })).parse(await ctx.api.get('wp/v2/themes', { signal, query: { status: 'active' }, what: 'reading the theme' })), []);
  return rows[0] ? { theme: rows[0].stylesheet } : {};
}

async function mediaFacts(ctx: WpContext, signal: AbortSignal): Promise<{ count: number; largest?: { name: string; size: number } }> {
  let count = 0;
  let largest: { name: string; size: number } | undefined;
  const row = z.object({ source_url: z.string().default(''), media_details: z.object({ filesize: z.number().optional() }).partial().nullable().optional() });
  for await (const page of ctx.api.pages('wp/v2/media', { signal, query: { _fields: 'source_url,media_details' }, what: 'listing media sizes' })) {
    for (const media of z.array(row).parse(page.items)) {
      count++;
      const size = media.media_details?.filesize;
      if (size !== undefined && (!largest || size > largest.size)) largest = { name: media.source_url.slice(media.source_url.lastIndexOf('/') + 1), size };
    }
  }
  return { count, ...(largest ? { largest } : {}) };
}

async function userFacts(ctx: WpContext, signal: AbortSignal): Promise<{ count: number; emails: Array<{ login: string; emailSha1: string }> }> {
  const emails: Array<{ login: string; emailSha1: string }> = [];
  const row = z.object({ username: z.string(), email: z.string().default('') });
  for await (const page of ctx.api.pages('wp/v2/users', { signal, query: { context: 'edit', _fields: 'username,email' }, what: 'listing users' })) {
    for (const user of z.array(row).parse(page.items)) emails.push({ login: user.username, emailSha1: emailHash(user.email) });
  }
  return { count: emails.length, emails };
}

export function emailHash(email: string): string {
  return createHash('sha1').update(email.trim().toLowerCase()).digest('hex');
}

async function total(ctx: WpContext, route: string, query: Record<string, QueryValue>, signal: AbortSignal): Promise<number> {
  const page = await ctx.api.getPage(route, { signal, query: { ...query, per_page: 1, _fields: 'id' }, what: `counting ${route.split('/').pop()}` });
  return page.total;
}

async function latest(ctx: WpContext, route: string, field: string, query: Record<string, QueryValue>, signal: AbortSignal): Promise<string | undefined> {
  const page = await ctx.api.getPage(route, { signal, query: { ...query, order: 'desc', per_page: 1, context: 'edit', _fields: field }, what: `reading the latest change of ${route.split('/').pop()}` });
  const value = (page.items[0] as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' && value ? `${value}Z` : undefined;
}

function withLast(entry: TypeInventory, lastModified: string | undefined): TypeInventory {
  return lastModified ? { ...entry, lastModified } : entry;
}

/** Routes that older WordPress versions lack (menus before 5.9) count as empty. */
async function optional<T>(read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConnectorError && (error.kind === 'not_found' || hasWpCode(error, 'rest_no_route'))) return fallback;
    throw error;
  }
}
